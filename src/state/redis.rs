//! `--state redis://HOST:PORT[/DB]`: the stateful store in Redis, so several mock replicas
//! behind a load balancer behave as one. Everything lives under `stubborn:NAMESPACE:`; each
//! change is one Lua script (atomic on the server), and an update is a compare-and-set loop:
//! read the item, change it here, write it only if it is still what was read, else again. So
//! concurrent changes from any number of replicas are never lost.
//!
//! Keys (`P` is the prefix): `P items:SCOPE` (hash id → JSON), `P order:SCOPE` (sorted set of
//! ids by creation), `P scopes` (set), `P n:COUNTER` (id counters) and `P counters` (their
//! names), `P seq` (creation order), `P count` (items in all), `P seeded`. Scripts name keys
//! they build from the prefix, so a Redis Cluster is not supported; one server (or a
//! replicated primary) is.

use super::store::{split_scope, Change, Limits, Make, Refusal, Seed};
use redis::aio::MultiplexedConnection;
use serde_json::Value;

/// The most compare-and-set rounds of one update before giving up with 503.
const MAX_ROUNDS: usize = 1000;

pub struct RedisStore {
    conn: MultiplexedConnection,
    prefix: String,
    limits: Limits,
}

const CREATE: &str = r"
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return -1 end
if tonumber(redis.call('GET', KEYS[5]) or '0') >= tonumber(ARGV[3]) then return -2 end
local n = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], n, ARGV[1])
redis.call('SADD', KEYS[4], ARGV[4])
redis.call('INCR', KEYS[5])
return 1
";

const NEXT: &str = r"
redis.call('SADD', KEYS[2], ARGV[1])
return redis.call('INCR', KEYS[1])
";

const SWAP: &str = r"
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then return -1 end
if cur ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
";

const DELETE: &str = r"
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then return false end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('DECR', KEYS[3])
return cur
";

const LIST: &str = r"
local ids = redis.call('ZRANGE', KEYS[2], 0, -1)
local out = {}
for i, id in ipairs(ids) do out[i] = redis.call('HGET', KEYS[1], id) or '' end
return out
";

/// Empties the scopes of a resource (all: every scope and counter), then adds the items and
/// sets the counters, all at once. ARGV: prefix, resource, all (1/0), once (1/0), max items,
/// item count, then scope/id/json triples, then counter/value pairs.
const LOAD: &str = r"
local P = ARGV[1]
local res = ARGV[2]
local all = ARGV[3] == '1'
if ARGV[4] == '1' and redis.call('EXISTS', P .. 'seeded') == 1 then return 0 end
local n = tonumber(ARGV[6])
local scopes = redis.call('SMEMBERS', P .. 'scopes')
local kept = 0
for _, s in ipairs(scopes) do
  local name = string.match(s, '^([^\n]*)')
  if not (all or name == res) then kept = kept + redis.call('HLEN', P .. 'items:' .. s) end
end
if kept + n > tonumber(ARGV[5]) then return -2 end
for _, s in ipairs(scopes) do
  local name = string.match(s, '^([^\n]*)')
  if all or name == res then
    redis.call('DEL', P .. 'items:' .. s, P .. 'order:' .. s)
    redis.call('SREM', P .. 'scopes', s)
  end
end
if all then
  for _, k in ipairs(redis.call('SMEMBERS', P .. 'counters')) do redis.call('DEL', P .. 'n:' .. k) end
  redis.call('DEL', P .. 'counters')
end
local i = 7
for j = 1, n do
  local s, id, v = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  i = i + 3
  if redis.call('HSETNX', P .. 'items:' .. s, id, v) == 1 then
    redis.call('ZADD', P .. 'order:' .. s, redis.call('INCR', P .. 'seq'), id)
    redis.call('SADD', P .. 'scopes', s)
  end
end
while i <= #ARGV do
  redis.call('SET', P .. 'n:' .. ARGV[i], ARGV[i + 1])
  redis.call('SADD', P .. 'counters', ARGV[i])
  i = i + 2
end
local count = 0
for _, s in ipairs(redis.call('SMEMBERS', P .. 'scopes')) do
  count = count + redis.call('HLEN', P .. 'items:' .. s)
end
redis.call('SET', P .. 'count', count)
redis.call('SET', P .. 'seeded', '1')
return 1
";

fn parse(text: &str) -> Result<Value, Refusal> {
    serde_json::from_str(text)
        .map_err(|e| Refusal::backend(format!("a stored item is not JSON: {e}")))
}

impl RedisStore {
    /// Connects to `url` (`redis://HOST:PORT[/DB]`, `redis+unix:///PATH`), keeping everything
    /// under `stubborn:NAMESPACE:`.
    pub async fn connect(url: &str, namespace: &str, limits: Limits) -> Result<RedisStore, String> {
        let client = redis::Client::open(url).map_err(|e| format!("--state {url}: {e}"))?;
        let conn = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            client.get_multiplexed_async_connection(),
        )
        .await
        .map_err(|_| format!("--state {url}: no answer within 10 s"))?
        .map_err(|e| format!("--state {url}: {e}"))?;
        Ok(RedisStore {
            conn,
            prefix: format!("stubborn:{namespace}:"),
            limits,
        })
    }

    fn key(&self, parts: &[&str]) -> String {
        let mut k = self.prefix.clone();
        for p in parts {
            k.push_str(p);
        }
        k
    }

    async fn eval<T: redis::FromRedisValue>(
        &self,
        script: &str,
        keys: &[String],
        args: &[&str],
    ) -> Result<T, Refusal> {
        let mut cmd = redis::cmd("EVAL");
        cmd.arg(script).arg(keys.len());
        for k in keys {
            cmd.arg(k);
        }
        for a in args {
            cmd.arg(*a);
        }
        let mut conn = self.conn.clone();
        cmd.query_async(&mut conn).await.map_err(Refusal::backend)
    }

    fn check_size(&self, text: &str) -> Result<(), Refusal> {
        if text.len() > self.limits.max_item_bytes {
            return Err(Refusal::new(
                413,
                "Content Too Large",
                format!(
                    "the item is {} bytes; the stateful store keeps items of at most {} bytes",
                    text.len(),
                    self.limits.max_item_bytes
                ),
            ));
        }
        Ok(())
    }

    pub(crate) async fn get(&self, scope: &str, id: &str) -> Result<Option<Value>, Refusal> {
        let mut conn = self.conn.clone();
        let text: Option<String> = redis::cmd("HGET")
            .arg(self.key(&["items:", scope]))
            .arg(id)
            .query_async(&mut conn)
            .await
            .map_err(Refusal::backend)?;
        text.as_deref().map(parse).transpose()
    }

    pub(crate) async fn list(&self, scope: &str) -> Result<Vec<Value>, Refusal> {
        let texts: Vec<String> = self
            .eval(
                LIST,
                &[self.key(&["items:", scope]), self.key(&["order:", scope])],
                &[],
            )
            .await?;
        texts
            .iter()
            .filter(|t| !t.is_empty())
            .map(|t| parse(t))
            .collect()
    }

    pub(crate) async fn create(
        &self,
        scope: &str,
        counter: &str,
        make: Make<'_>,
    ) -> Result<Value, Refusal> {
        let n: u64 = self
            .eval(
                NEXT,
                &[self.key(&["n:", counter]), self.key(&["counters"])],
                &[counter],
            )
            .await?;
        let (id, item) = make(n)?;
        let text = serde_json::to_string(&item).unwrap_or_default();
        self.check_size(&text)?;
        let max = self.limits.max_items.to_string();
        let done: i64 = self
            .eval(
                CREATE,
                &[
                    self.key(&["items:", scope]),
                    self.key(&["order:", scope]),
                    self.key(&["seq"]),
                    self.key(&["scopes"]),
                    self.key(&["count"]),
                ],
                &[&id, &text, &max, scope],
            )
            .await?;
        match done {
            1 => Ok(item),
            -1 => Err(Refusal::new(
                409,
                "Conflict",
                format!("an item with id {id} exists already"),
            )),
            _ => Err(Refusal::new(
                507,
                "Insufficient Storage",
                format!(
                    "the stateful store holds its limit of {} items (--state-max-items); delete some or POST /__stubborn/reset",
                    self.limits.max_items
                ),
            )),
        }
    }

    pub(crate) async fn update(
        &self,
        scope: &str,
        id: &str,
        change: Change<'_>,
    ) -> Result<Option<Value>, Refusal> {
        let items = self.key(&["items:", scope]);
        for _ in 0..MAX_ROUNDS {
            let mut conn = self.conn.clone();
            let old: Option<String> = redis::cmd("HGET")
                .arg(&items)
                .arg(id)
                .query_async(&mut conn)
                .await
                .map_err(Refusal::backend)?;
            let Some(old) = old else { return Ok(None) };
            let new = change(&parse(&old)?)?;
            let text = serde_json::to_string(&new).unwrap_or_default();
            self.check_size(&text)?;
            let swapped: i64 = self
                .eval(SWAP, std::slice::from_ref(&items), &[id, &old, &text])
                .await?;
            match swapped {
                1 => return Ok(Some(new)),
                -1 => return Ok(None),
                _ => tokio::task::yield_now().await,
            }
        }
        Err(Refusal::new(
            503,
            "Too Much Contention",
            format!("the item {id} changed under {MAX_ROUNDS} attempts to update it; try again"),
        ))
    }

    pub(crate) async fn delete(&self, scope: &str, id: &str) -> Result<Option<Value>, Refusal> {
        let old: Option<String> = self
            .eval(
                DELETE,
                &[
                    self.key(&["items:", scope]),
                    self.key(&["order:", scope]),
                    self.key(&["count"]),
                ],
                &[id],
            )
            .await?;
        old.as_deref().map(parse).transpose()
    }

    pub(crate) async fn dump(
        &self,
        resource: Option<&str>,
    ) -> Result<Vec<(String, Vec<Value>)>, Refusal> {
        let mut conn = self.conn.clone();
        let mut scopes: Vec<String> = redis::cmd("SMEMBERS")
            .arg(self.key(&["scopes"]))
            .query_async(&mut conn)
            .await
            .map_err(Refusal::backend)?;
        scopes.sort();
        let mut out = Vec::new();
        for s in scopes {
            if resource.is_some_and(|r| split_scope(&s).0 != r) {
                continue;
            }
            let items = self.list(&s).await?;
            if !items.is_empty() {
                out.push((s, items));
            }
        }
        Ok(out)
    }

    async fn run_load(
        &self,
        resource: Option<&str>,
        seed: &Seed,
        once: bool,
    ) -> Result<(), Refusal> {
        let mut texts = Vec::with_capacity(seed.items.len());
        for (_, _, v) in &seed.items {
            let text = serde_json::to_string(v).unwrap_or_default();
            self.check_size(&text)?;
            texts.push(text);
        }
        let max = self.limits.max_items.to_string();
        let n = seed.items.len().to_string();
        let counters: Vec<String> = seed.counters.iter().map(|(_, n)| n.to_string()).collect();
        let mut args: Vec<&str> = vec![
            &self.prefix,
            resource.unwrap_or(""),
            if resource.is_none() { "1" } else { "0" },
            if once { "1" } else { "0" },
            &max,
            &n,
        ];
        for ((scope, id, _), text) in seed.items.iter().zip(&texts) {
            args.extend([scope.as_str(), id.as_str(), text.as_str()]);
        }
        for ((name, _), value) in seed.counters.iter().zip(&counters) {
            args.extend([name.as_str(), value.as_str()]);
        }
        let done: i64 = self.eval(LOAD, &[], &args).await?;
        if done == -2 {
            return Err(Refusal::new(
                507,
                "Insufficient Storage",
                format!(
                    "the stateful store holds at most {} items (--state-max-items)",
                    self.limits.max_items
                ),
            ));
        }
        Ok(())
    }

    pub(crate) async fn load(&self, resource: Option<&str>, seed: &Seed) -> Result<(), Refusal> {
        self.run_load(resource, seed, false).await
    }

    pub(crate) async fn seed_once(&self, seed: &Seed) -> Result<(), Refusal> {
        self.run_load(None, seed, true).await
    }
}
