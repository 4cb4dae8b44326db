// The transport adapter picks Tauri IPC when `window.__TAURI__` exists: a fake Tauri global
// (forwarding to the real server) must receive every command with its camelCase args as-is,
// event listeners go through `event.listen`, and a rejected `{error:{kind,message}}` is shown
// with its next step.

import { test } from "node:test";
import assert from "node:assert/strict";
import { withApp, NOT_AVAILABLE } from "./helpers.mjs";

const FAKE_TAURI = () => {
  window.__calls = [];
  window.__listens = [];
  window.__TAURI__ = {
    core: {
      invoke: async (name, args) => {
        window.__calls.push([name, args]);
        if (name === "list_workspace_skills") throw { error: { kind: "unknown_command", message: "unknown command 'list_workspace_skills'" } };
        const r = await fetch(`/api/${name}`, { method: "POST", credentials: "same-origin", body: JSON.stringify(args ?? {}) });
        const body = await r.json();
        if (!r.ok) throw body;
        return body;
      },
    },
    event: {
      listen: async (name) => {
        window.__listens.push(name);
        return () => {};
      },
    },
  };
};

test("the transport uses Tauri IPC when the desktop shell provides it", { timeout: 60_000 }, async () => {
  await withApp("transport-tauri", async ({ page, server }) => {
    await page.addInitScript(FAKE_TAURI);
    await page.goto(`${server.origin}/settings`);
    await page.getByText("Desktop (Tauri IPC)").waitFor();
    const calls = await page.evaluate(() => window.__calls);
    assert.ok(calls.some(([n]) => n === "get_settings"), "get_settings went through IPC");
    const resources = await page.evaluate(() => performance.getEntriesByType("resource").map((e) => e.name));
    assert.ok(!resources.some((u) => u.includes("/api/events")), "no EventSource under Tauri");

    // Errors rejected by the shell are explained like HTTP ones.
    await page.getByRole("link", { name: "Workspace skills" }).click();
    await page.getByRole("alert").filter({ hasText: NOT_AVAILABLE }).waitFor();

    // A workflow page listens to agent events through event.listen.
    await page.goto(`${server.origin}/skills/nothing-here/build`);
    await page.getByRole("status").filter({ hasText: "There is no skill named “nothing-here”" }).waitFor();
    const listens = await page.evaluate(() => window.__listens);
    for (const e of ["agent-message", "agent-exit", "close-requested"]) assert.ok(listens.includes(e), `listens to ${e}`);
  });
});
