#!/usr/bin/env python3
"""Writes the seed corpora in fuzz/corpus/TARGET/ from specs/, the test fixtures and realistic
requests. Run from anywhere: `python3 fuzz/make-corpus.py`. The output is committed; rerun
after changing this file. Files fuzzers add later (cargo fuzz writes into the same folders)
are ignored by git unless their name starts with `seed-`."""

import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = os.path.join(HERE, "corpus")


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def reset():
    for t in ["load", "route", "params", "body"]:
        d = os.path.join(CORPUS, t)
        if os.path.isdir(d):
            for f in os.listdir(d):
                if f.startswith("seed-"):
                    os.remove(os.path.join(d, f))


# --- load: whole documents ------------------------------------------------------------------

LOAD_FILES = [
    "specs/petstore.yaml", "specs/scenarios.yaml", "specs/schema-zoo.yaml", "specs/swagger2.yaml",
    "specs/todo-3.1.yaml", "specs/validation.yaml", "specs/multi-file/openapi.yaml",
    "specs/postman/petstore.postman_collection.json",
    "tests/fixtures/postman/todos.postman_collection.v2.0.json", "tests/fixtures/traffic.har",
    "fuzz/specs/bodies.yaml", "specs/streams.yaml", "tests/fixtures/openapi32/streams.yaml",
    "tests/fixtures/openapi32/chat31.yaml", "tests/fixtures/prism/habits.yaml",
    "tests/fixtures/hardening.yaml", "tests/fixtures/prism/swagger2-form-empty.yaml",
    "tests/fixtures/postman/vendors/custom-methods.json",
    "tests/fixtures/postman/vendors/auth-everywhere.json",
    "tests/fixtures/postman/vendors/graphql.strict-matching.json",
]

LOAD_EXTRA = {
    "security.yaml": """openapi: 3.0.3
info: {title: t, version: '1'}
security: [{b: []}, {k: []}]
paths:
  /x:
    get:
      x-stubborn-delay: "10..20"
      responses: {'200': {description: ok, content: {application/json: {example: {a: 1}}}}}
components:
  securitySchemes:
    b: {type: http, scheme: bearer}
    d: {type: http, scheme: digest}
    k: {type: apiKey, in: cookie, name: sid}
""",
    "generate.json": """{"openapi":"3.1.0","info":{"title":"g","version":"1"},"paths":{"/g/{id}":{"get":{
"parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"integer"}}],
"responses":{"200":{"description":"ok","headers":{"X-Rate":{"schema":{"type":"integer","minimum":5}}},
"content":{"application/json":{"schema":{"type":"object","required":["s","n","a"],"properties":{
"s":{"type":"string","pattern":"^[a-z]{2,5}\\\\d$","minLength":3},"n":{"type":"number","multipleOf":0.5,"maximum":10},
"a":{"type":"array","minItems":2,"maxItems":4,"uniqueItems":true,"items":{"enum":[1,2,3,4]}},
"d":{"type":"string","format":"date-time"},"r":{"$ref":"#/components/schemas/R"}}}},
"application/xml":{"schema":{"$ref":"#/components/schemas/R"}}}}}}}},
"components":{"schemas":{"R":{"type":"object","xml":{"name":"r"},"properties":{"next":{"$ref":"#/components/schemas/R"},"v":{"type":"string","x-faker":"internet.email"}}}}}}
""",
    "swagger-min.yaml": """swagger: '2.0'
info: {title: s, version: '1'}
basePath: /v2
paths:
  /a/{id}:
    get:
      produces: [application/json]
      parameters: [{name: id, in: path, required: true, type: string, format: uuid}]
      responses: {'200': {description: ok, schema: {type: array, items: {type: integer}}, examples: {application/json: [1]}}}
""",
    "template.yaml": """openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /t/{a}.{b}:
    post:
      x-stubborn-scenarios:
        - {name: s, when: {query: {q: x}, body: {/a: {regex: "^(a+)+$"}}}, response: {status: 202, headers: {X-A: '{{request.path.a}}'}}}
      responses:
        '200':
          description: ok
          content:
            text/plain:
              example: '{{request.path.a}}-{{request.body./a/0}}-{{$randomInt}}-{{request.header.X}}'
""",
}


def load_corpus():
    for rel in LOAD_FILES:
        shutil.copyfile(os.path.join(ROOT, rel), os.path.join(CORPUS, "load", "seed-" + os.path.basename(rel)))
    for name, text in LOAD_EXTRA.items():
        write("load", name, text)


# --- route: RouteInput as `arbitrary` reads it: router, method, Option<(u8, u16)>, path -------

ROUTERS = ["validation", "scenarios", "petstore", "todo", "zoo", "swagger2", "multi", "postman",
           "har", "bodies", "streams", "oas32", "habits", "hardening", "two-params",
           "two-params-any-case"]

ROUTE_PATHS = {
    "validation": ["/open/items/7", "/open/label/.1.2.3", "/open/matrix/;x=1;y=2", "/secure/any", "/notes"],
    "scenarios": ["/pets/1", "/pets/404/", "/owners/42"],
    "petstore": ["/v1/pets/mine", "/pets/%7Bid%7D", "/v1/pets/7", "/pet"],
    "todo": ["/api/todos/3", "/todos", "/health"],
    "zoo": ["/scalars/int", "/tree", "/people"],
    "swagger2": ["/books/9/cover", "/search"],
    "multi": ["/books/1", "/books"],
    "postman": ["/PETS/1", "/pest/2", "/pets?x=1"],
    "har": ["/users/42", "/users"],
    "bodies": ["/json/1", "/form", "/any"],
    "streams": ["/events", "/logs"],
    "oas32": ["/search", "/items/3", "/find"],
    "habits": ["/pets", "/items/1", "/broken"],
    "hardening": ["/items", "/empty-scheme", "/accented-scheme"],
    "two-params": ["/files/report.tar.gz", "/range/10-20/items/3", "/x/v1.2/docs", "/api/v1/files/a.b",
                   "/%C3%BCn%C3%AF/a~b", "/users/me/posts", "/ab"],
    "two-params-any-case": ["/FILES/README.MD", "/user/1/post/2", "/x/1.2.3"],
}


def route_corpus():
    for r, name in enumerate(ROUTERS):
        for i, path in enumerate(ROUTE_PATHS[name]):
            write("route", f"{name}-{i}", bytes([r, i % 8, 0]) + path.encode())
    # Long segments against two-parameter templates: 1, then (byte, count) as little-endian u16.
    two = ROUTERS.index("two-params")
    write("route", "long-dots", bytes([two, 0, 1]) + b"." + struct.pack("<H", 8192) + b"/files/")
    write("route", "long-dashes", bytes([two, 0, 1]) + b"-" + struct.pack("<H", 8192) + b"/range/")
    write("route", "long-any-case", bytes([two + 1, 0, 1]) + b"a" + struct.pack("<H", 4096) + b"/x/")


# --- params and body: `SPEC METHOD TARGET`, headers, empty line, body --------------------------

PARAMS = {
    "items-all": "validation GET /open/items/7?limit=5&tags=a&tags=b&ids=1,2,3&words=ab%20cd&nums=1.5|2"
                 "&filter[color]=red&filter[size]=3&q=&must=x\nX-Request-Id: 9b2d6a3e-1f4c-4d7a-8a55-0c3b2f1e9d11\n"
                 "X-Flags: true,false\nCookie: session=abcd; prefs=1,2,3\n",
    "items-bad": "validation GET /open/items/abc?limit=500&tags=z&ids=x&filter[color]=1&filter[color]=2\n"
                 "X-Request-Id: nope\nX-Flags: maybe\nCookie: session=a\n",
    "required": "validation GET /open/required?page=1\nX-Tenant: acme\n",
    "label": "validation GET /open/label/.1.2.3\n",
    "matrix": "validation GET /open/matrix/;x=1;y=2\n",
    "secure-header": "validation GET /secure/header\nX-API-Key: k\n",
    "secure-any": "validation GET /secure/any?api_key=k\nAuthorization: Basic dXNlcjpwYXNz\nCookie: sid=s\n",
    "secure-both": "validation GET /secure/both\nAuthorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.x\nX-API-Key: k\n",
    "oauth": "validation GET /secure/oauth\nAuthorization: Bearer t\n",
    "scenario-pet": "scenarios GET /pets/1\nPrefer: code=404, example=lost\n",
    "scenario-query": "scenarios GET /pets?kind=dog\nAccept: application/json;q=0.9, */*;q=0.1\n",
    "owner-template": "scenarios GET /owners/42?limit=5\nx-trace: t-1\nPrefer: dynamic=true, seed=7\n",
    "petstore": "petstore GET /v1/pets?limit=3\nAccept: application/xml\n",
    "todo": "todo GET /api/todos/3\nPrefer: delay=1\n",
    "zoo": "zoo GET /scalars/int\nAccept: text/plain\n",
    "swagger2": "swagger2 GET /books?author=x&limit=2\n",
    "postman": "postman GET /pets?species=cat&limit=10\nx-mock-response-name: cats\n",
    "postman-code": "postman GET /pets/1\nx-mock-response-code: 404\n",
    "har": "har GET /users?page=2\n",
    "bodies-query": "bodies POST /json/1?q=abc\nx-trace: t\nCookie: sid=1\n",
    "querystring-form": "oas32 GET /find?q=rex&page=2\n",
    "querystring-json": "oas32 GET /jsonfind?%7B%22kind%22%3A%22cat%22%7D\n",
    "additional-method": "oas32 LINK /items/3\n",
    "stream-prefer": "streams GET /events\nPrefer: count=3, interval=1\nAccept: text/event-stream\n",
    "stream-logs": "streams GET /logs?level=warn\nAccept: application/jsonl\n",
    "habits-code": "habits GET /pets?__code=404&__example=none&__dynamic=true\n",
    "habits-options": "habits OPTIONS /items/1\nOrigin: http://localhost:3000\nAccess-Control-Request-Method: PUT\n",
    "hardening-scheme": "hardening GET /accented-scheme\nAuthorization: Élan x\n",
}

MULTIPART = ("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n"
             "Content-Type: image/png\r\n\r\n\x89PNG\r\n--b\r\nContent-Disposition: form-data; name=\"meta\"\r\n"
             "Content-Type: application/json\r\n\r\n{\"title\":\"t\"}\r\n--b\r\nContent-Disposition: form-data; "
             "name=\"tags\"\r\n\r\nx\r\n--b\r\nContent-Disposition: form-data; name=\"count\"\r\n\r\n3\r\n--b--\r\n")

BODIES = {
    "pet-json": "validation POST /pets\nContent-Type: application/json\n\n"
                '{"name":"Rex","birthDate":"2020-01-31","email":"a@b.c","weight":1.5,"tags":["a"],"owner":null}',
    "pet-json-bad": "validation POST /pets\nContent-Type: application/json; charset=utf-8\n\n"
                    '{"name":"","birthDate":"2020-13-45","weight":0,"tags":[1,2,3,4],"id":1e400}',
    "pet-form": "validation POST /pets\nContent-Type: application/x-www-form-urlencoded\n\n"
                "name=Rex&birthDate=2020-01-31&tags=a&tags=b&weight=2",
    "shape": "validation POST /shapes\nContent-Type: application/json\n\n"
             '{"kind":"circle","radius":2}',
    "upload": "validation POST /uploads\nContent-Type: multipart/form-data; boundary=b\n\n" + MULTIPART,
    "note-text": "validation PUT /notes\nContent-Type: text/plain; charset=utf-8\n\nhello",
    "note-json": "validation PUT /notes\nContent-Type: application/merge-patch+json\n\n{\"note\":\"n\"}",
    "note-octet": "validation PUT /notes\nContent-Type: application/octet-stream\n\n\x00\x01\xff",
    "scenario-vip": "scenarios POST /pets\nContent-Type: application/json\nX-Tier: gold\n\n"
                    '{"name":"Tom","kind":"cat"}',
    "owner-put": "scenarios PUT /owners/7\nContent-Type: application/json\n\n"
                 '{"id":7,"name":"Ann","email":"a@example.com"}',
    "petstore-post": "petstore POST /v1/pets\nContent-Type: application/json\n\n"
                     '{"name":"Fido","tag":"dog"}',
    "todo-post": "todo POST /api/todos\nContent-Type: application/json\n\n"
                 '{"title":"write fuzz targets","done":false}',
    "zoo-accounts": "zoo POST /accounts\nContent-Type: application/json\n\n"
                    '{"type":"personal","name":"x"}',
    "swagger2-search": "swagger2 POST /search\nContent-Type: application/x-www-form-urlencoded\n\nq=ab&limit=3",
    "swagger2-book": "swagger2 POST /books\nContent-Type: application/json\n\n"
                     '{"title":"T","author":"A","year":1999,"isbn":null}',
    "postman-post": "postman POST /pets\nContent-Type: application/json\n\n"
                    '{"name":"Tom","species":"cat"}',
    "json-echo": "bodies POST /json/5?q=abc\nContent-Type: application/json\nx-trace: t\nCookie: sid=9\n\n"
                 '{"name":"Zëd","when":"2024-02-29T12:00:00Z","mail":"a@b.co","ip":"::1","big":9,'
                 '"ratio":1.25,"items":[{"n":7},{"n":8}],"kind":{"dog":"rex"}}',
    "form-encoded": "bodies POST /form\nContent-Type: application/x-www-form-urlencoded\n\n"
                    "name=a%20b&n=3&ok=true&tags=1&tags=2&csv=a,b,c&deep[a]=1&deep[b]=x&meta=%7B%22x%22%3A1%7D",
    "multipart-encoded": "bodies POST /multipart\nContent-Type: multipart/form-data; boundary=\"xyz\"\n\n"
                         "--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n"
                         "Content-Type: application/octet-stream\r\n\r\nbytes\r\n--xyz\r\n"
                         "Content-Disposition: form-data; name=\"list\"\r\n\r\n1.5\r\n--xyz\r\n"
                         "Content-Disposition: form-data; name=\"list\"\r\n\r\n2\r\n--xyz\r\n"
                         "Content-Disposition: form-data; name=\"doc\"\r\nContent-Type: application/json\r\n\r\n"
                         "{\"a\":\"b\"}\r\n--xyz--\r\n",
    "text-int": "bodies PUT /text\nContent-Type: text/plain\n\n999",
    "text-csv": "bodies PUT /text\nContent-Type: text/csv; charset=iso-8859-1\n\na,b,c",
    "xml": "bodies PUT /text\nContent-Type: application/xml\nAccept: application/xml\n\n"
           "<?xml version=\"1.0\"?><note to=\"x\"><body>é</body></note>",
    "vnd-json": "bodies PUT /text\nContent-Type: application/vnd.api+json\n\n[true,false]",
    "any": "bodies PATCH /any\nContent-Type: application/json\nAccept: */*\n\n{\"a\":1}",
    "any-form": "bodies PATCH /any\nContent-Type: application/x-www-form-urlencoded\n\na=1",
    "query-method": "oas32 QUERY /search\nContent-Type: application/json\n\n{\"term\":\"rex\",\"limit\":5}",
    "hardening-items": "hardening POST /items\nContent-Type: application/json\n\n"
                       '[{"id":1},{"id":"x"},{"id":2.5},{},{"id":null}]',
    "habits-post": "habits POST /pets\nContent-Type: application/json\n\n{\"name\":\"Rex\"}",
}


def request_corpora():
    for name, text in PARAMS.items():
        write("params", name, text)
    for name, text in BODIES.items():
        write("body", name, text.encode("latin-1") if "\x89" in text or "\xff" in text else text)


if __name__ == "__main__":
    reset()
    os.makedirs(os.path.join(CORPUS, "load"), exist_ok=True)
    load_corpus()
    route_corpus()
    request_corpora()
    total = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(CORPUS) for f in fs)
    print(f"corpus written: {total} bytes")
