#!/usr/bin/env python3
"""Does `stubborn mock COLLECTION` answer every saved example as Postman's mock would?

For every saved example of every collection given, the script sends the example's
`originalRequest` (path variables filled in, enabled query parameters and headers, the raw body
with the Content-Type Postman's client adds for `body.options.raw.language`) four ways:

  plain                     expected: the example Postman's algorithm picks for that request
                            (an independent reading of Postman's documented algorithm, below)
  x-mock-response-code      expected: the example itself (when its code is unique there)
  x-mock-response-name      expected: the example itself
  x-mock-response-id        expected: the example itself

and compares status and body (JSON-equal when both are JSON, else byte-equal).

    python3 bench/postman_fidelity.py [--environment env.json] [--bin target/release/stubborn] \
        ../shared/postman/roxyapi/collections/*.json

It reads only what it is given; the test suite never runs it (CI has no ../shared).
"""
import argparse
import json
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

LANG_TYPES = {
    "json": "application/json",
    "xml": "application/xml",
    "html": "text/html",
    "text": "text/plain",
    "javascript": "application/javascript",
}


def items(collection):
    def walk(nodes):
        for n in nodes:
            if isinstance(n, dict) and isinstance(n.get("item"), list):
                yield from walk(n["item"])
            elif isinstance(n, dict) and "request" in n:
                yield n

    return walk(collection.get("item", []))


def resolve(text, variables):
    return re.sub(r"\{\{\s*([^{}]+?)\s*\}\}", lambda m: variables.get(m.group(1), m.group(0)), text)


def request_of(orig, variables):
    """The request a client sends for a saved example: method, path, query, headers, body."""
    url = orig.get("url") or {}
    if isinstance(url, str):
        parsed = urllib.parse.urlsplit(resolve(url, variables))
        path = parsed.path or "/"
        query = urllib.parse.parse_qsl(parsed.query, keep_blank_values=True)
        segments = [s for s in path.split("/") if s]
    else:
        pvars = {v.get("key"): v.get("value") for v in url.get("variable") or [] if not v.get("disabled")}
        segments = []
        for s in url.get("path") or []:
            s = s if isinstance(s, str) else str(s.get("value", ""))
            if s.startswith(":") and pvars.get(s[1:]) not in (None, ""):
                s = str(pvars[s[1:]])
            segments.append(resolve(s, variables))
        query = [
            (q.get("key"), resolve(q.get("value") or "", variables))
            for q in url.get("query") or []
            if not q.get("disabled") and q.get("key") is not None
        ]
    headers = orig.get("header") or []
    if isinstance(headers, str):
        headers = [
            {"key": k.strip(), "value": v.strip()}
            for k, _, v in (line.partition(":") for line in headers.splitlines())
            if k.strip()
        ]
    headers = [(h["key"], resolve(str(h.get("value", "")), variables)) for h in headers if not h.get("disabled")]
    body = orig.get("body") or {}
    data = None
    if body.get("mode") == "raw" and body.get("raw"):
        data = resolve(body["raw"], variables).encode()
        lang = ((body.get("options") or {}).get("raw") or {}).get("language", "text")
        if not any(k.lower() == "content-type" for k, _ in headers):
            headers.append(("Content-Type", LANG_TYPES.get(lang, "text/plain")))
    elif body.get("mode") == "urlencoded":
        pairs = [(p["key"], resolve(p.get("value", ""), variables)) for p in body.get("urlencoded") or [] if not p.get("disabled")]
        data = urllib.parse.urlencode(pairs).encode()
        if not any(k.lower() == "content-type" for k, _ in headers):
            headers.append(("Content-Type", "application/x-www-form-urlencoded"))
    method = (orig.get("method") or "GET").upper()
    return method, "/" + "/".join(segments), query, headers, data


# --- An independent reading of Postman's matching algorithm -------------------------------
ID_RE = re.compile(r"^([0-9]+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|.{256,})$", re.I)


def path_score(req_path, ex_segments):
    ex = "/" + "/".join(ex_segments)
    if req_path == ex:
        return 100
    if req_path.lower() == ex.lower():
        return 90
    strip = lambda p: p.rstrip("/") or "/"
    if strip(req_path) == strip(ex):
        return 95
    if strip(req_path).lower() == strip(ex).lower():
        return 85
    ids = lambda p: "/".join("" if ID_RE.match(s) else s for s in p.lower().split("/"))
    if ids(req_path) == ids(ex):
        return 80
    if ids(strip(req_path)) == ids(strip(ex)):
        return 75
    rs, es = strip(req_path).split("/"), strip(ex).split("/")
    if len(rs) == len(es) and all(e.startswith(":") or "{{" in e or r == e for r, e in zip(rs, es)):
        return 80
    return None


def oracle(examples, method, path, query, headers):
    """The example Postman's mock answers with, for a request without x-mock headers."""
    best, best_score = None, None
    for ex in examples:
        if ex["method"] != method:
            continue
        score = path_score(path, ex["segments"])
        if score is None:
            continue
        if query:
            full = partial = missing = 0
            for key in dict(query):
                wanted = [v for k, v in ex["query"] if k == key]
                got = {v for k, v in query if k == key}
                if wanted and all(v in got for v in wanted):
                    full += 1
                elif any(k.lower() == key.lower() for k, _ in ex["query"]):
                    partial += 1
                elif ex["query"]:
                    missing += 1
            n = len(dict(query))
            if full == n:
                score += 10
            elif partial:
                score += 10 * full / (full + partial + missing)
            else:
                score -= min(missing, 10)
        two = 200 <= ex["code"] < 300
        key = (score, two)
        if best_score is None or key > best_score:
            best, best_score = ex, key
    return best


def same_body(got, want):
    try:
        return json.loads(got) == json.loads(want)
    except ValueError:
        return got.strip() == want.strip()


def send(base, method, path, query, headers, data, extra):
    url = base + urllib.parse.quote(path) + ("?" + urllib.parse.urlencode(query) if query else "")
    req = urllib.request.Request(url, data=data, method=method)
    for k, v in list(headers) + list(extra):
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("collections", nargs="+")
    ap.add_argument("--environment")
    ap.add_argument("--bin", default="target/release/stubborn")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    env = {}
    if args.environment:
        for v in json.load(open(args.environment)).get("values", []):
            if v.get("enabled", True):
                env[v["key"]] = str(v.get("value", ""))
    totals = {"examples": 0, "plain": [0, 0], "code": [0, 0], "name": [0, 0], "id": [0, 0]}
    for path in args.collections:
        collection = json.load(open(path))
        variables = dict(env)
        for v in collection.get("variable") or []:
            variables.setdefault(v.get("key"), str(v.get("value", "")))
        cmd = [args.bin, "mock", path, "--port", "0", "--log-format", "off"]
        if args.environment:
            cmd += ["--environment", args.environment]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        base = None
        for line in proc.stdout:
            if line.startswith("listening on "):
                base = line.split()[-1]
                break
        if base is None:
            print(f"{path}: does not serve: {proc.stderr.read()[:500]}")
            totals["examples"] += sum(len(it.get("response") or []) for it in items(collection))
            continue
        examples = []
        for item in items(collection):
            for ex in item.get("response") or []:
                orig = ex.get("originalRequest") or item["request"]
                method, p, q, h, data = request_of(orig, variables)
                code = ex.get("code") or 200
                examples.append({
                    "name": ex.get("name"), "id": ex.get("id"), "code": int(code),
                    "method": method, "segments": [s for s in p.split("/") if s], "query": q,
                    "request": (method, p, q, h, data), "body": ex.get("body") or "",
                })
        per = {"plain": [0, 0], "code": [0, 0], "name": [0, 0], "id": [0, 0]}
        for ex in examples:
            method, p, q, h, data = ex["request"]
            want = oracle(examples, method, p, q, h)
            modes = [("plain", [], want)]
            if sum(1 for o in examples if o["request"][:3] == ex["request"][:3] and o["code"] == ex["code"]) == 1:
                modes.append(("code", [("x-mock-response-code", str(ex["code"]))], ex))
            if ex["name"]:
                modes.append(("name", [("x-mock-response-name", ex["name"])], ex))
            if ex["id"]:
                modes.append(("id", [("x-mock-response-id", ex["id"])], ex))
            for mode, extra, expected in modes:
                status, body = send(base, method, p, q, h, data, extra)
                ok = expected is not None and status == expected["code"] and same_body(body, expected["body"])
                per[mode][0] += ok
                per[mode][1] += 1
                if not ok and args.verbose:
                    print(f"  {mode}: {method} {p} {ex['name']!r}: got {status} {body[:160]!r}, want {expected and expected['code']}")
        proc.terminate()
        proc.wait()
        totals["examples"] += len(examples)
        for k in per:
            totals[k][0] += per[k][0]
            totals[k][1] += per[k][1]
        print(f"{path}: {len(examples)} examples; " + ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in per.items()))
    print(f"total: {totals['examples']} examples; " + ", ".join(f"{k} {totals[k][0]}/{totals[k][1]}" for k in ("plain", "code", "name", "id")))


if __name__ == "__main__":
    sys.exit(main())
