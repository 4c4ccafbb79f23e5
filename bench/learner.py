#!/usr/bin/env python3
"""Benchmark of the learner app (`aktovka learn`), driven by bench/learner.sh.

Usage: learner.py AKTOVKA DATA_DIR N BUNDLE...

Starts `AKTOVKA learn BUNDLE... --no-open --port 0 --data DATA_DIR` and reports:
- ready: time from process start until the first `GET /` is answered;
- lesson page and search request latency, p50 and p99 over N requests each on one
  keep-alive loopback connection (the client adds well under 0.1 ms, so these are close to
  the server's own time);
- resident memory (VmRSS, and the peak VmHWM) of the server after the requests, with every
  given course opened, a lesson of each rendered and searched.
Prints one `name value unit goal` line per figure.
"""

import http.client
import re
import subprocess
import sys
import time
import urllib.parse


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def main():
    aktovka, data, n, bundles = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
    started = time.perf_counter()
    proc = subprocess.Popen(
        [aktovka, "learn", *bundles, "--no-open", "--port", "0", "--data", data],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        url = proc.stdout.readline().strip()
        port = int(re.match(r"http://127\.0\.0\.1:(\d+)/", url).group(1))
        conn = http.client.HTTPConnection("127.0.0.1", port)
        host = {"Host": f"127.0.0.1:{port}"}
        conn.request("GET", "/", headers=host)
        home = conn.getresponse().read().decode()
        ready = time.perf_counter() - started

        token = re.search(r'name="token" value="([0-9a-f]+)"', home).group(1)
        body = urllib.parse.urlencode({"token": token, "name": f"Bench {port}"})
        conn.request(
            "POST",
            "/learners",
            body=body,
            headers={**host, "Content-Type": "application/x-www-form-urlencoded"},
        )
        resp = conn.getresponse()
        resp.read()
        cookie = resp.getheader("Set-Cookie").split(";")[0]
        headers = {**host, "Cookie": cookie}

        conn.request("GET", "/", headers=headers)
        page = conn.getresponse().read().decode()
        courses = re.findall(r'<a href="/c/([a-z0-9-]+)">', page)
        lessons = []
        for c in courses:
            conn.request("GET", f"/c/{c}", headers=headers)
            toc = conn.getresponse().read().decode()
            lessons += re.findall(r'class="lesson-link" data-lesson="[^"]+" href="([^"]+)"', toc)

        def timed(path):
            t = time.perf_counter()
            conn.request("GET", path, headers=headers)
            r = conn.getresponse()
            r.read()
            assert r.status == 200, (path, r.status)
            return (time.perf_counter() - t) * 1000

        # Warm-up: every lesson once (prepares lesson HTML and exercise renders).
        for path in lessons:
            timed(path)
        lesson = lessons[len(lessons) // 2]
        lesson_ms = [timed(lesson) for _ in range(n)]
        queries = ["skola", "heslo", "karel", "internet", "bajt", "phishing", "algoritmus", "pixel"]
        search_ms = [
            timed("/search?format=json&q=" + urllib.parse.quote(queries[i % len(queries)]))
            for i in range(n)
        ]

        status = open(f"/proc/{proc.pid}/status").read()
        rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
        hwm = int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024

        print(f"courses_open {len(courses)} - -")
        print(f"lessons_warmed {len(lessons)} - -")
        print(f"ready {ready * 1000:.0f} ms <300")
        print(f"lesson_p50 {percentile(lesson_ms, 50):.2f} ms <2")
        print(f"lesson_p99 {percentile(lesson_ms, 99):.2f} ms -")
        print(f"search_p50 {percentile(search_ms, 50):.2f} ms -")
        print(f"search_p99 {percentile(search_ms, 99):.2f} ms -")
        print(f"rss {rss:.1f} MB <80")
        print(f"rss_peak {hwm:.1f} MB <80")
    finally:
        proc.kill()
        proc.wait()


if __name__ == "__main__":
    main()
