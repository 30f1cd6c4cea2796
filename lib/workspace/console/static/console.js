// The console's small enhancements: a run's log that follows, the Test Request box, the charts.
"use strict";

function followLog() {
  const log = document.getElementById("log");
  if (!log || !log.dataset.follow) return;
  let offset = Number(log.dataset.offset || 0);
  const tick = async () => {
    const answer = await fetch(`${log.dataset.follow}?offset=${offset}`, { headers: { Accept: "application/json" } });
    if (!answer.ok) return setTimeout(tick, 2000);
    const part = await answer.json();
    if (part.text) {
      const atEnd = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
      log.append(part.text);
      if (atEnd) log.scrollTop = log.scrollHeight;
    }
    offset = part.offset;
    log.dataset.offset = String(offset);
    if (part.active) return setTimeout(tick, 1000);
    const status = part.status.replace(/^ENGINE_/, "").toLowerCase();
    document.getElementById("run-status").innerHTML = `<span class="badge badge-${status}" data-status="${status}">${status}</span>`;
    document.getElementById("log-following").textContent = "run ended";
    document.getElementById("stop-form")?.remove();
  };
  setTimeout(tick, 500);
}

function testRequestBox() {
  const form = document.getElementById("test-form");
  if (!form) return;
  const input = document.getElementById("test-request");
  const problem = document.getElementById("test-request-error");
  const output = document.getElementById("test-response");
  const latency = document.getElementById("test-latency");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    let request;
    try {
      request = JSON.parse(input.value);
    } catch (error) {
      problem.textContent = `Not JSON, so not sent: ${error.message}`;
      problem.hidden = false;
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    problem.hidden = true;
    input.removeAttribute("aria-invalid");
    latency.textContent = "sending…";
    const started = performance.now();
    const answer = await fetch("/model", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ accessKey: form.dataset.accessKey, request }),
    });
    const text = await answer.text();
    const ms = performance.now() - started;
    let shown = text;
    let replica = "";
    try {
      const body = JSON.parse(text);
      shown = JSON.stringify(body, null, 2);
      replica = body.ReplicaID ? `, replica ${body.ReplicaID}` : "";
    } catch (_) { /* not JSON: shown as it came */ }
    output.textContent = shown;
    latency.textContent = `HTTP ${answer.status} in ${ms.toFixed(0)} ms${replica}`;
    latency.dataset.ms = ms.toFixed(1);
  });
}

const PALETTE = ["#1565c0", "#c62828", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f"];
let charts = [];

function chart(element, title, x, series) {
  const width = Math.max(element.clientWidth, 260);
  const options = {
    width, height: 180, title: "",
    scales: { x: { time: true } },
    series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: PALETTE[i % PALETTE.length], width: 1.5, spanGaps: false }))],
    axes: [{}, { size: 50 }],
  };
  element.innerHTML = "";
  const plot = new uPlot(options, [x, ...series.map((s) => s.values)], element);
  element.dataset.points = String(series.reduce((n, s) => n + s.values.filter((v) => v !== null && v > 0).length, 0));
  charts.push(plot);
}

async function drawCharts() {
  const section = document.getElementById("monitoring");
  if (!section || typeof uPlot === "undefined") return;
  const window_ = document.getElementById("window").value;
  const answer = await fetch(`${section.dataset.url}?window=${window_}`);
  if (!answer.ok) return;
  const data = await answer.json();
  charts.forEach((c) => c.destroy());
  charts = [];
  const r = data.requests;
  chart(document.getElementById("chart-rps"), "rps", r.t, [
    { label: "requests/s", values: r.rps }, { label: "errors/s", values: r.errors },
  ]);
  chart(document.getElementById("chart-latency"), "latency", r.t, [
    { label: "p50", values: r.p50 }, { label: "p95", values: r.p95 }, { label: "p99", values: r.p99 },
  ]);
  const replicas = Object.entries(data.replicas.replicas);
  chart(document.getElementById("chart-cpu"), "cpu", data.replicas.t,
    replicas.map(([id, s]) => ({ label: `${id} (limit ${s.cpu_limit} vCPU)`, values: s.cpu })));
  chart(document.getElementById("chart-memory"), "memory", data.replicas.t,
    replicas.map(([id, s]) => ({ label: `${id} (limit ${Math.round(s.memory_limit)} MB)`, values: s.memory })));
  document.getElementById("chart-summary").textContent =
    `${r.requests} requests, ${replicas.length} replicas in the last ${window_}`;
  section.dataset.loaded = window_;
}

function monitoring() {
  const select = document.getElementById("window");
  if (!select) return;
  select.addEventListener("change", drawCharts);
  drawCharts();
  setInterval(drawCharts, 10000);
}

function sessionStarting() {
  // A session takes seconds to answer: look again until it does (or fails).
  if (document.querySelector("#session-state[data-state=starting]")) {
    setTimeout(() => window.location.reload(), 2000);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  sessionStarting();
  followLog();
  testRequestBox();
  monitoring();
});
