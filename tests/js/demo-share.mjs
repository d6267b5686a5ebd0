// Checks the demo's shared chat connection in headless Chromium: two tabs of one browser
// context open the running demo (scripts/demo.sh); one row says leader, the other
// follower, the server sees one chat connection (the leader tab's tag), a line from the
// follower reaches the leader, and once the leader tab closes the follower leads and the
// server again sees one chat connection, now with the other tab's tag.
//
//   node tests/js/demo-share.mjs [http://127.0.0.1:8080/]

import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, CHROMIUM_BIN } from "./chromium.mjs";

const url = process.argv[2] ?? "http://127.0.0.1:8080/";
const started = Date.now();
const say = (msg) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${msg}`);
let failures = 0;
const check = (ok, msg) => {
  if (!ok) failures++;
  say(`${ok ? "ok" : "NOT OK"} - ${msg}`);
};

/** The server's open connections of a tag, by endpoint-independent count. */
async function openOf(tag) {
  const r = await fetch(new URL(`/control/stats?tag=${tag}`, url), { cache: "no-store" });
  return (await r.json()).open;
}

/** The share cell of a socket's row, as the page shows it. */
const roleCell = (page, name) =>
  page.evaluate((n) => window.resocketDemo.conns.get(n).view.role.textContent, name);

const browser = await chromium.launch({ executablePath: CHROMIUM_BIN, args: CHROMIUM_ARGS });
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const problems = [];
  const open = async () => {
    const page = await context.newPage();
    page.on("pageerror", (e) => problems.push(String(e)));
    page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
    await page.goto(url);
    await page.waitForFunction(() => window.resocketDemo?.chat.state === "open", null, { timeout: 10000 });
    return page;
  };
  const a = await open();
  const b = await open();
  // Every socket of both tabs open, the other three of each tab its own.
  const allOpen = () => [...window.resocketDemo.conns.values()].every((c) => c.ws.state === "open");
  await a.waitForFunction(allOpen, null, { timeout: 10000 });
  await b.waitForFunction(allOpen, null, { timeout: 10000 });
  const tagA = await a.evaluate(() => window.resocketDemo.tag);
  const tagB = await b.evaluate(() => window.resocketDemo.tag);
  const roles = [await roleCell(a, "chat"), await roleCell(b, "chat")];
  say(`tab A (${tagA}): chat ${roles[0]}; tab B (${tagB}): chat ${roles[1]}`);
  check(roles.includes("leader") && roles.includes("follower"), "one tab's chat row says leader, the other's follower");
  check((await roleCell(a, "push")) === "" && (await roleCell(b, "sink")) === "", "sockets of their own show no share role");
  const [leader, follower] = roles[0] === "leader" ? [a, b] : [b, a];
  const [leaderTag, followerTag] = roles[0] === "leader" ? [tagA, tagB] : [tagB, tagA];
  const [nLeader, nFollower] = [await openOf(leaderTag), await openOf(followerTag)];
  say(`server: open connections of ${leaderTag} ${nLeader}, of ${followerTag} ${nFollower}`);
  check(nLeader === 4 && nFollower === 3, "the server sees one chat connection (leader tab: 4 open, follower tab: 3)");

  // A line from the follower goes out on the leader's socket and comes back to both tabs.
  const text = `hello from the follower ${Date.now()}`;
  await follower.fill("#chat-input", text);
  await follower.press("#chat-input", "Enter");
  await leader.waitForFunction((t) => document.getElementById("chat-log").textContent.includes(t), text, { timeout: 5000 });
  await follower.waitForFunction(() => document.querySelector("#chat-log li.me:last-child")?.dataset.delivery === "delivered", null, { timeout: 5000 });
  check(true, "the follower's line reached the leader tab and was acknowledged");

  // The leader tab closes: the follower takes over and opens the chat with its own tag.
  await leader.close({ runBeforeUnload: true });
  await follower.waitForFunction(
    () => window.resocketDemo.chat.shareRole === "leader" && window.resocketDemo.chat.state === "open",
    null,
    { timeout: 10000 },
  );
  await follower.waitForTimeout(300);
  const after = await roleCell(follower, "chat");
  const nNow = await openOf(followerTag);
  say(`after the leader tab closed: chat ${after}; server: open connections of ${followerTag} ${nNow}, of ${leaderTag} ${await openOf(leaderTag)}`);
  check(after === "leader" && nNow === 4, "the other tab took over: leader, with its own chat connection");
  check(problems.length === 0, `no page errors${problems.length ? `:\n${problems.join("\n")}` : ""}`);
} finally {
  await browser.close();
}
say(failures ? `${failures} check(s) failed` : "all checks passed");
process.exitCode = failures ? 1 : 0;
