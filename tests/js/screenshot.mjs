// Takes docs/screenshot.png of the running demo (scripts/demo.sh) in headless Chromium:
// chats a little, drops the link, sends while reconnecting, then stalls the server and
// floods /sink so the backpressure chart has something to show.
//
//   node tests/js/screenshot.mjs [http://127.0.0.1:8080/] [docs/screenshot.png]

import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, CHROMIUM_BIN } from "./chromium.mjs";

const url = process.argv[2] ?? "http://127.0.0.1:8080/";
const out = process.argv[3] ?? new URL("../../docs/screenshot.png", import.meta.url).pathname;

const browser = await chromium.launch({ executablePath: CHROMIUM_BIN, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: "light" });
  const problems = [];
  page.on("pageerror", (e) => problems.push(String(e)));
  page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  await page.goto(url);
  await page.waitForFunction(() => window.resocketDemo?.chat.state === "open", null, { timeout: 10000 });
  await page.fill("#nick", "ann");
  await page.click("#room-form button");
  const say = async (text) => {
    await page.fill("#chat-input", text);
    await page.press("#chat-input", "Enter");
    await page.waitForTimeout(300);
  };
  await say("Hi! The link is live.");
  await say("Try ⚡ Drop link — I will still be here.");
  await page.fill("#greet-input", "hello server");
  await page.press("#greet-input", "Enter");
  await page.waitForTimeout(6000);
  await page.click("#btn-drop");
  await page.waitForTimeout(300);
  await say("sent while reconnecting: queued, then replayed");
  await page.waitForTimeout(2000);
  await page.click("#btn-stall");
  await page.waitForTimeout(200);
  await page.click("#btn-flood");
  await page.waitForTimeout(2500);
  await page.screenshot({ path: out });
  if (problems.length) {
    console.error(`page errors:\n${problems.join("\n")}`);
    process.exitCode = 1;
  }
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
}
