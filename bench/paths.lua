-- wrk script: GET a rotating list of paths, then print latency percentiles and error counts.
--
--   BENCH_LABEL=catalog wrk -t2 -c32 -d15s -s bench/paths.lua http://127.0.0.1:PORT -- paths.txt
--
-- paths.txt holds one request path per line (e.g. /services?tier=1). Each thread walks the
-- list from a different starting point. done() prints a human summary and one machine-readable
-- line starting with "BENCH_RESULT" (read by bench/run.sh). Latencies are in milliseconds.

local threads = {}

function setup(thread)
    thread:set("thread_no", #threads)
    table.insert(threads, thread)
end

local paths = {}
local next_index = 0
non2xx = 0

function init(args)
    -- Every page is behind sign-in: bench/run.sh passes the session cookie.
    local cookie = os.getenv("BENCH_COOKIE")
    if cookie ~= nil and cookie ~= "" then
        wrk.headers["Cookie"] = cookie
    end
    -- The API runs send a token instead (BENCH_AUTH="Bearer rpt_...").
    local auth = os.getenv("BENCH_AUTH")
    if auth ~= nil and auth ~= "" then
        wrk.headers["Authorization"] = auth
    end
    local file = args[1]
    if file == nil then
        error("usage: wrk ... -s paths.lua URL -- PATHS_FILE")
    end
    for line in io.lines(file) do
        if line ~= "" and line:sub(1, 1) == "/" then
            paths[#paths + 1] = line
        end
    end
    if #paths == 0 then
        error("no paths in " .. file)
    end
    -- Spread the threads over the list so they do not request the same page in lockstep.
    next_index = math.floor((thread_no or 0) * #paths / 2) % #paths
end

function request()
    local path = paths[next_index + 1]
    next_index = (next_index + 1) % #paths
    return wrk.format("GET", path)
end

function response(status, headers, body)
    if status < 200 or status > 299 then
        non2xx = non2xx + 1
    end
end

function done(summary, latency, requests)
    local label = os.getenv("BENCH_LABEL") or "run"
    local not_ok = 0
    for _, t in ipairs(threads) do
        not_ok = not_ok + (tonumber(t:get("non2xx")) or 0)
    end
    local e = summary.errors
    local socket_errors = e.connect + e.read + e.write + e.timeout
    local seconds = summary.duration / 1e6
    local rps = summary.requests / seconds
    local function ms(us) return us / 1000 end
    local p50, p90, p99 = ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(99))
    io.write(string.format("---- %s: %d requests in %.1f s\n", label, summary.requests, seconds))
    io.write(string.format("  requests/s   %10.1f\n", rps))
    io.write(string.format("  latency ms   p50 %.2f   p90 %.2f   p99 %.2f   mean %.2f   max %.2f\n",
        p50, p90, p99, ms(latency.mean), ms(latency.max)))
    io.write(string.format("  non-2xx      %d\n", not_ok))
    io.write(string.format("  socket errors connect %d, read %d, write %d, timeout %d\n",
        e.connect, e.read, e.write, e.timeout))
    io.write(string.format(
        "BENCH_RESULT label=%s requests=%d rps=%.1f p50=%.2f p90=%.2f p99=%.2f mean=%.2f max=%.2f non2xx=%d socket_errors=%d\n",
        label, summary.requests, rps, p50, p90, p99, ms(latency.mean), ms(latency.max), not_ok, socket_errors))
end
