"""Injects the simulator's faults at random into a running ./pipeline run --simulate, for a while.

    python3 tools/chaos/faults.py [SECONDS] [SEED] [SIMULATOR_URL]

Every 6 to 15 s one fault of the simulator's table (README, "Run it"): a dropped connection, silence, a stale feed
(shorter or longer than the capture's data timeout), bts:request_reconnect to a server in step, ahead or behind, an
exchange-side loss (skip), malformed frames, refused reconnects, REST books behind or rate-limited, unknown event
types. Then run tools/chaos/account.py.
"""
import random
import sys
import time
import urllib.request

seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 420
random.seed(int(sys.argv[2]) if len(sys.argv) > 2 else 7)
simulator = sys.argv[3] if len(sys.argv) > 3 else "http://127.0.0.1:9090"
pairs = ["btcusd", "ethusd"]  # the simulator's default pairs


def post(path):
    try:
        request = urllib.request.Request(simulator + "/sim/faults/" + path, method="POST")
        return urllib.request.urlopen(request, timeout=30).read().decode()[:150]
    except Exception as e:  # the run goes on; the line says what failed
        return "failed: " + str(e)


def fault():
    kind = random.choice(["drop", "silence", "stale", "stale", "reconnect", "reconnect", "reconnect", "skip",
                          "malformed", "refuse", "book-behind", "unknown-event", "rate-limit"])
    pair = random.choice(pairs)
    if kind == "silence":
        return f"silence?seconds={random.randint(2, 8)}"
    if kind == "stale":
        return f"stale?seconds={random.randint(2, 40)}"
    if kind == "reconnect":
        offset = random.choice(["", f"&ahead={random.randint(1, 40)}", f"&behind={random.randint(1, 40)}"])
        return f"request-reconnect?seconds={random.randint(1, 6)}{offset}"
    if kind == "skip":
        return f"skip?channel=live_orders_{pair}&count={random.randint(1, 5)}"
    if kind == "malformed":
        return f"malformed?count={random.randint(1, 5)}"
    if kind == "refuse":
        print(time.strftime("%H:%M:%S"), "refuse", post(f"refuse?seconds={random.randint(1, 4)}"), flush=True)
        return "drop"
    if kind == "book-behind":
        return f"book-behind?seconds={random.randint(1, 8)}"
    if kind == "unknown-event":
        return f"unknown-event?count={random.randint(1, 3)}&channel=live_orders_{pair}"
    if kind == "rate-limit":
        return f"rate-limit?count={random.randint(1, 5)}"
    return "drop"


end = time.time() + seconds
while time.time() < end:
    path = fault()
    print(time.strftime("%H:%M:%S"), path, post(path), flush=True)
    time.sleep(random.uniform(6, 15))
