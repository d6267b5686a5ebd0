// The few W3C WebDriver commands the browser tests, the soak and the SSR example's test
// need, for Firefox (geckodriver) and WebKit (WebKitWebDriver); Chromium is driven by
// playwright-core. Also: where WebKitGTK's MiniBrowser is.

import { existsSync } from "node:fs";

export class WebDriver {
  /**
   * @param base the driver's URL, e.g. http://127.0.0.1:4444
   * @param timeouts `script` and `pageLoad` (ms) for the session; `request` (ms) bounds
   *   each HTTP call to the driver.
   */
  constructor(base, { script = 120000, pageLoad = 30000, request = 30 * 60 * 1000 } = {}) {
    this.base = base.replace(/\/$/, "");
    this.session = null;
    this.timeouts = { script, pageLoad };
    this.request = request;
  }
  async cmd(method, path, body) {
    const res = await fetch(this.base + path, {
      method,
      headers: { "content-type": "application/json; charset=utf-8" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.request),
    });
    const json = await res.json().catch(() => ({}));
    const value = json.value;
    // A W3C error response has `error`, `message` and `stacktrace`; a script's own result
    // may carry an `error` field too, which is not a driver error.
    const driverError = value && typeof value === "object" && "error" in value && "stacktrace" in value;
    if (!res.ok || driverError) {
      throw new Error(`${method} ${path}: ${value?.error ?? res.status}: ${value?.message ?? ""}`.trim());
    }
    return value;
  }
  async start(capabilities) {
    const value = await this.cmd("POST", "/session", { capabilities: { alwaysMatch: capabilities } });
    this.session = value.sessionId;
    this.capabilities = value.capabilities;
    await this.cmd("POST", `/session/${this.session}/timeouts`, this.timeouts);
  }
  navigate(url) {
    return this.cmd("POST", `/session/${this.session}/url`, { url });
  }
  executeAsync(script, ...scriptArgs) {
    return this.cmd("POST", `/session/${this.session}/execute/async`, { script, args: scriptArgs });
  }
  /** geckodriver only: switch between the "content" and "chrome" contexts. */
  context(name) {
    return this.cmd("POST", `/session/${this.session}/moz/context`, { context: name });
  }
  async quit() {
    if (this.session) await this.cmd("DELETE", `/session/${this.session}`).catch(() => {});
    this.session = null;
  }
}

/** WebKitGTK's MiniBrowser (WEBKIT_MINIBROWSER overrides), or undefined. */
export function webkitBinary() {
  return [
    process.env.WEBKIT_MINIBROWSER,
    "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
    "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.0/MiniBrowser",
    "/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
  ].find((p) => p && existsSync(p));
}
