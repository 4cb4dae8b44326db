// (d) Change settings (preferred model, log level) and find them persisted after a reload;
// the API key field is masked until shown.

import { test } from "node:test";
import assert from "node:assert/strict";
import { withApp, api } from "./helpers.mjs";

test("a changed setting is saved and still there after a reload", { timeout: 60_000 }, async () => {
  await withApp("settings", async ({ page, server }) => {
    await page.getByRole("link", { name: "Settings" }).click();
    await page.getByRole("heading", { name: "Settings" }).waitFor();

    const key = page.getByLabel("Anthropic API key");
    await key.fill("sk-ant-not-a-real-key");
    assert.equal(await key.getAttribute("type"), "password");
    await page.getByRole("button", { name: "Show key" }).click();
    assert.equal(await key.getAttribute("type"), "text");
    await page.getByRole("button", { name: "Hide key" }).click();
    assert.equal(await key.getAttribute("type"), "password");
    await key.fill(""); // leave the key unchanged

    await page.getByLabel("Preferred model").selectOption("haiku");
    await page.getByLabel("Log level").selectOption("debug");
    await page.getByLabel("Industry").fill("Retail");
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.getByRole("status").filter({ hasText: "Settings saved" }).waitFor();

    await page.reload();
    await page.getByRole("heading", { name: "Settings" }).waitFor();
    await page.getByLabel("Preferred model").waitFor();
    assert.equal(await page.getByLabel("Preferred model").inputValue(), "haiku");
    assert.equal(await page.getByLabel("Log level").inputValue(), "debug");
    assert.equal(await page.getByLabel("Industry").inputValue(), "Retail");
    assert.equal(await page.getByRole("button", { name: "Save settings" }).isDisabled(), true);

    const { body } = await api(server, "get_settings");
    assert.equal(body.preferred_model, "haiku");
    assert.equal(body.log_level, "debug");
    assert.equal(body.anthropic_api_key, null, "an unchanged key is not sent");
    assert.ok(body.skills_path, "paths untouched by the partial save");
  });
});
