// GitHub sign-in with the device flow (issue 16), against a fake GitHub (tests/fake-github.mjs):
// from Settings (code shown and copied, verification link, polling until authorized, the
// signed-in user, sign out), and offered by the Import page when a private repository is not
// visible while signed out. Then the configured registries: one added, checked for updates
// after the repository's version moved on, and the library skill updated from there.

import { test } from "node:test";
import assert from "node:assert/strict";
import { withApp, api, screenshot } from "./helpers.mjs";
import { startFakeGitHub, FAKE_USER_CODE } from "./fake-github.mjs";

const skillMd = (name, version) => `---
name: ${name}
description: Helps with ${name}. Use when testing.
version: ${version}
---
# ${name}

Body of ${name} ${version}.
`;

function marketplace() {
  return {
    ".claude-plugin/marketplace.json": JSON.stringify({
      name: "Acme Private Skills",
      plugins: [{ name: "data-tools", source: "./plugins/data-tools", description: "Data tools" }],
    }),
    "plugins/data-tools/.claude-plugin/plugin.json": JSON.stringify({ name: "data-tools" }),
    "plugins/data-tools/skills/dbt-helper/SKILL.md": skillMd("dbt-helper", "1.0.0"),
  };
}

async function withFakeGitHub(opts, fn) {
  const gh = await startFakeGitHub(opts);
  try {
    await fn(gh);
  } catch (e) {
    console.error(`fake GitHub saw:\n${gh.requests.join("\n")}`);
    throw e;
  } finally {
    await gh.stop();
  }
}

test("sign in to GitHub from Settings with the device flow, then sign out", { timeout: 90_000 }, async () => {
  await withFakeGitHub({ owner: "acme", repo: "skills", files: marketplace(), pendingPolls: 1 }, async (gh) => {
    await withApp(
      "github-signin-settings",
      async ({ page, server, browser }) => {
        await browser.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.origin });
        await page.getByRole("link", { name: "Settings" }).click();
        const signin = page.getByRole("group", { name: "GitHub sign-in" });
        await signin.getByRole("button", { name: "Sign in with GitHub" }).click();

        const flow = signin.getByRole("group", { name: "GitHub device sign-in" });
        await flow.getByText(FAKE_USER_CODE, { exact: true }).waitFor();
        assert.equal(await flow.getByRole("link", { name: "https://github.com/login/device" }).getAttribute("href"), "https://github.com/login/device");
        await flow.getByRole("button", { name: "Copy code" }).click();
        await flow.getByRole("status").filter({ hasText: "Copied" }).waitFor();
        assert.equal(await page.evaluate(() => navigator.clipboard.readText()), FAKE_USER_CODE);
        await screenshot(page, "github-device-flow");

        // The first poll answers "pending", the next one hands out the token.
        await signin.getByRole("status", { name: "GitHub account" }).filter({ hasText: "Signed in to GitHub as octo-tester" }).waitFor();
        assert.equal((await api(server, "github_get_user")).body.login, "octo-tester");
        assert.ok(gh.requests.filter((r) => r === "POST /oauth/login/oauth/access_token").length >= 2, "polled until authorized");

        await signin.getByRole("button", { name: "Sign out of GitHub" }).click();
        await signin.getByRole("button", { name: "Sign in with GitHub" }).waitFor();
        assert.equal((await api(server, "github_get_user")).body, null);
      },
      { env: gh.env },
    );
  });
});

test("Import offers sign-in for a private repository; a registry's update is applied", { timeout: 120_000 }, async () => {
  const files = marketplace();
  await withFakeGitHub({ owner: "acme", repo: "private-skills", files, private: true }, async (gh) => {
    await withApp(
      "github-signin-import",
      async ({ page, server }) => {
        await page.getByRole("link", { name: "Import", exact: true }).click();
        await page.getByLabel("GitHub URL").fill("https://github.com/acme/private-skills");
        await page.getByRole("button", { name: "Browse skills" }).click();

        // Not visible while signed out: the failure comes with the sign-in.
        await page.getByRole("alert").first().waitFor();
        const offer = page.getByRole("region", { name: "Sign in to GitHub" });
        await offer.getByRole("button", { name: "Sign in with GitHub" }).click();
        await offer.getByText(FAKE_USER_CODE, { exact: true }).waitFor();
        await page.getByRole("button", { name: "Browse again" }).click();
        const list = page.getByRole("list", { name: "Available skills" });
        await list.getByText("dbt-helper", { exact: true }).waitFor();
        assert.equal(await page.getByRole("region", { name: "Sign in to GitHub" }).count(), 0);

        // Import it into the library at 1.0.0.
        await list.getByRole("listitem").filter({ hasText: "dbt-helper" }).getByRole("checkbox").check();
        await page.getByRole("button", { name: "Import 1 selected" }).click();
        await page.getByText("1 of 1 done").waitFor();

        // The registry: added, checked (up to date), then the repository moves to 1.1.0.
        const registries = page.getByRole("region", { name: "Registries" });
        await registries.getByLabel("Registry name").fill("Acme");
        await registries.getByLabel("Registry URL").fill("https://github.com/acme/private-skills");
        await registries.getByRole("button", { name: "Add registry" }).click();
        await registries.getByRole("button", { name: "Check Acme for updates" }).click();
        await registries.getByText("Everything imported from Acme is up to date.").waitFor();
        const { body: settings } = await api(server, "get_settings");
        assert.ok(settings.marketplace_registries.some((r) => r.name === "Acme" && r.source_url === "https://github.com/acme/private-skills"));

        files["plugins/data-tools/skills/dbt-helper/SKILL.md"] = skillMd("dbt-helper", "1.1.0");
        await registries.getByRole("button", { name: "Check Acme for updates" }).click();
        const updates = registries.getByRole("list", { name: "Updates from Acme" });
        await updates.getByText("v1.1.0").waitFor();
        await screenshot(page, "registry-updates");
        await updates.getByRole("button", { name: "Update dbt-helper" }).click();
        await updates.getByRole("status").filter({ hasText: "updated: Updated to version 1.1.0" }).waitFor();
        const { body: skills } = await api(server, "list_skills", {});
        assert.equal(skills.find((s) => s.name === "dbt-helper").version, "1.1.0");
      },
      { env: gh.env },
    );
  });
});
