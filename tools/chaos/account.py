"""Accounts for every event the simulator sent: stored once (through the API), or inside a gap the API reports.

    python3 tools/chaos/account.py [PAIRS] [SETTLE_SECONDS] [API_URL] [SIMULATOR_URL]

For each pair and channel, from the first event stored: every event the simulator sent (GET /sim/sent) up to
SETTLE_SECONDS (default 40) ago must be in /v1/events, once, or lie inside a record of /v1/gaps (from <= its
microtimestamp <= to). Prints a line per channel; exits 1 when an event is neither (UNCOVERED) or stored twice.
The API spans at most a day per request: run it within a day of the pipeline's start.
"""
import datetime
import json
import sys
import time
import urllib.parse
import urllib.request

pairs = sys.argv[1].split(",") if len(sys.argv) > 1 else ["btcusd", "ethusd"]
settle = float(sys.argv[2]) if len(sys.argv) > 2 else 40
api = sys.argv[3] if len(sys.argv) > 3 else "http://127.0.0.1:8080"
simulator = sys.argv[4] if len(sys.argv) > 4 else "http://127.0.0.1:9090"
upto = int((time.time() - settle) * 1_000_000)


def get(url):
    return urllib.request.urlopen(url, timeout=120).read().decode()


def iso(micros):
    return datetime.datetime.fromtimestamp(micros / 1e6, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def events(pair, channel, start, end):
    answered = []
    url = f"{api}/v1/events?pair={pair}&channel={channel}&from={start}&to={end}&limit=10000&format=json"
    while True:
        page = json.loads(get(url))
        answered += page["events"]
        if not page.get("next_cursor"):
            return answered
        url = f"{api}/v1/events?cursor={urllib.parse.quote(page['next_cursor'])}&limit=10000"


def micros(frame):
    return int(frame["data"]["microtimestamp"])


def sent_id(frame):
    return frame.get("event_id") or str(frame["data"].get("id_str") or frame["data"]["id"])


failed = False
for pair in pairs:
    for channel in ("orders", "trades"):
        sent = [json.loads(line) for line in get(f"{simulator}/sim/sent?channel=live_{channel}_{pair}").splitlines()
                if line.strip()]
        sent = [f for f in sent if micros(f) <= upto]
        if not sent:
            continue
        start, end = iso(micros(sent[0])), iso(upto + 1)
        stored = events(pair, channel, start, end)
        gaps = json.loads(get(f"{api}/v1/gaps?pair={pair}&channel={channel}&from={start}&to={end}"))["gaps"]
        count = {}
        for e in stored:
            key = e.get("event_id") or e["id"]
            count[key] = count.get(key, 0) + 1
        doubled = [k for k, n in count.items() if n > 1]
        first = min((int(e["microtimestamp"]) for e in stored), default=upto)
        missing = [f for f in sent if sent_id(f) not in count and micros(f) > first]
        uncovered = [f for f in missing
                     if not any(g["from_microtimestamp"] <= micros(f) <= g["to_microtimestamp"] for g in gaps)]
        print(f"{pair} {channel}: sent {len(sent)}, stored {len(stored)}, stored twice {len(doubled)}, "
              f"not stored {len(missing)}, of which in no gap (UNCOVERED) {len(uncovered)}; gaps {len(gaps)}")
        for f in uncovered[:5]:
            print("   uncovered", iso(micros(f)), sent_id(f))
        failed |= bool(uncovered or doubled)
sys.exit(1 if failed else 0)
