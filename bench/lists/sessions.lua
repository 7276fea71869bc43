-- Each wrk thread (one connection each: run with -t N -c N) signs its requests with its own
-- session, read from the file named by COOKIES (one "zeren_session=…" per line): N people at
-- once, as the per-account budget of expensive requests sees them.
local cookies = {}
for line in io.lines(os.getenv("COOKIES")) do
    cookies[#cookies + 1] = line
end
local n = 0
function setup(thread)
    n = n + 1
    thread:set("cookie", cookies[(n - 1) % #cookies + 1])
end
local req
function request()
    if not req then
        req = wrk.format(nil, nil, { Cookie = cookie })
    end
    return req
end
