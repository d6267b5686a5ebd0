// The shared case tables (tests/cases/*.json) against the npm face: the same tables the
// core runs natively (tests/cases.rs). Used by the browser page (its default export: one
// test per table, tables fetched from /cases/) and by Node (tests/js/node-cases.mjs,
// `check`). No socket is opened: every `ReSocket` here uses an inert WebSocket class.

class Inert extends EventTarget {
  readyState = 0;
  bufferedAmount = 0;
  protocol = "";
  send() {}
  close() {}
}
const inert = { WebSocket: Inert };
const show = (v) => (v === undefined ? "undefined" : JSON.stringify(v));

/** What the constructor does with `url`: ["ok", url] or ["error", code, message]. */
function construct(ReSocket, url, options = inert) {
  try {
    const ws = new ReSocket(url, options);
    const out = ["ok", ws.url];
    ws.free();
    return out;
  } catch (e) {
    return ["error", e?.code, e?.message, e?.name];
  }
}

const faceRuns = (c) => !Array.isArray(c.faces) || c.faces.includes("js");

function urls(ReSocket, table, base, failures) {
  let n = 0;
  for (const c of table.cases.filter(faceRuns)) {
    n++;
    const got = construct(ReSocket, c.url);
    let want;
    if (c.relative && base) want = ["ok", new URL(c.resolved, base).href.replace(/^http/, "ws")];
    else if (c.error !== undefined && (c.relative ? !base : true)) {
      want = ["error", "invalid_url", `invalid URL ${c.redacted}: ${c.error}`, "ReSocketError"];
    } else want = ["ok", c.resolved];
    if (show(got) !== show(want)) failures.push(`url ${show(c.url)}: got ${show(got)}, want ${show(want)}`);
    for (const secret of c.secrets ?? []) {
      if (got[0] === "error" && String(got[2]).includes(secret)) failures.push(`url ${show(c.url)}: the error shows ${show(secret)}`);
    }
  }
  return n;
}

function close(ReSocket, table, failures) {
  let n = 0;
  for (const c of table.cases.filter(faceRuns)) {
    n++;
    const ws = new ReSocket("ws://127.0.0.1:9/cases", inert);
    const args = "code" in c ? ("reason" in c ? [c.code, c.reason] : [c.code]) : [];
    let got;
    try {
      ws.close(...args);
      got = [null, ws.state];
    } catch (e) {
      got = [e?.code, e?.message, ws.state];
    }
    ws.free();
    const want = c.error === null ? [null, "closing"] : [c.error, c.message, "connecting"];
    if (show(got) !== show(want)) failures.push(`close(${args.map(show).join(", ")}): got ${show(got)}, want ${show(want)}`);
  }
  return n;
}

function options(ReSocket, table, failures) {
  let n = 0;
  for (const c of table.cases.filter(faceRuns)) {
    n++;
    const got = construct(ReSocket, "ws://127.0.0.1:9/cases", { ...c.options, ...inert });
    const want = c.error === null ? ["ok", "ws://127.0.0.1:9/cases"] : ["error", "invalid_option", c.error.message, "ReSocketError"];
    if (show(got) !== show(want)) failures.push(`options ${show(c.options)}: got ${show(got)}, want ${show(want)}`);
  }
  return n;
}

/**
 * Runs the tables `{ urls, close, options }` against `ReSocket`; `base` is the page's URL
 * (relative URLs resolve against it) or null (Node). Returns `{ failures, counts }`.
 */
export function check(ReSocket, tables, base) {
  const failures = [];
  const counts = {
    urls: urls(ReSocket, tables.urls, base, failures),
    close: close(ReSocket, tables.close, failures),
    options: options(ReSocket, tables.options, failures),
  };
  return { failures, counts };
}

const tests = [];
for (const name of ["urls", "close", "options"]) {
  tests.push({
    name: `cases: ${name}.json, the table the core runs natively, gives the same answers here`,
    timeout: 20000,
    async fn() {
      const { ReSocket } = await import("resocket-wasm");
      const tables = {};
      for (const t of ["urls", "close", "options"]) {
        const r = await fetch(new URL(`../cases/${t}.json`, import.meta.url));
        if (!r.ok) throw new Error(`/cases/${t}.json: HTTP ${r.status}`);
        tables[t] = await r.json();
      }
      const { failures, counts } = check(ReSocket, tables, location.href);
      const mine = failures.filter((f) => f.startsWith(name === "urls" ? "url " : name === "close" ? "close(" : "options "));
      if (mine.length > 0) throw new Error(`${mine.length} case(s) differ: ${mine.slice(0, 5).join(" | ")}`);
      if (counts[name] < 10) throw new Error(`only ${counts[name]} cases ran`);
      return `${counts[name]} cases`;
    },
  });
}
export default tests;
