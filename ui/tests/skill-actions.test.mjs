// The actions of a skill's page (issue 16): Download (a .skill package handed to the browser),
// Validate (findings with fix hints, then Fix frontmatter), Edit details (with an AI-suggested
// description from a fake Anthropic API), Rename and Delete. The skill is built beforehand with
// the CLI (mock agents); a non-spec key is then added to its SKILL.md for the linter to find.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { withApp, api, cli, screenshot } from "./helpers.mjs";

const SUGGESTED = "Answers questions about act-skill pipelines. Use when reviewing them.";

/** A fake Anthropic Messages API answering `generate_suggestions` with a fixed description. */
async function startFakeAnthropic() {
  const seen = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(
        JSON.stringify({
          id: "msg_fake",
          type: "message",
          role: "assistant",
          model: "claude-haiku-4-5",
          content: [{ type: "text", text: JSON.stringify({ description: SUGGESTED }) }],
          stop_reason: "end_turn",
          usage: { input_tokens: 10, output_tokens: 20 },
        }),
      );
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${server.address().port}`, seen, stop: () => new Promise((r) => server.close(r)) };
}

function addUnknownKey(dataDir, skill) {
  const p = join(dataDir, "skills", skill, "SKILL.md");
  const text = readFileSync(p, "utf8");
  writeFileSync(p, text.replace(/^---\n/, "---\nteam: data-platform\n"));
}

test("a skill's page downloads, validates and fixes, edits, renames and deletes the skill", { timeout: 180_000 }, async () => {
  const anthropic = await startFakeAnthropic();
  try {
    await withApp(
      "skill-actions",
      async ({ page, server }) => {
        await page.goto(`${server.origin}/skills/act-skill`);
        const actions = page.getByRole("toolbar", { name: "Skill actions" });
        await actions.waitFor();

        // Download: the package arrives as a browser download named <skill>.skill (a ZIP).
        const [download] = await Promise.all([page.waitForEvent("download"), actions.getByRole("button", { name: "Download" }).click()]);
        assert.equal(download.suggestedFilename(), "act-skill.skill");
        const bytes = readFileSync(await download.path());
        assert.equal(bytes.subarray(0, 2).toString("latin1"), "PK", "a ZIP archive");
        assert.ok(bytes.includes(Buffer.from("SKILL.md")), "SKILL.md is in the package");
        assert.ok(!bytes.includes(Buffer.from("context/")), "context/ is never packed");
        await page.getByRole("status").filter({ hasText: "Downloaded act-skill.skill" }).waitFor();

        // Validate: the unknown key is an error with a hint; Fix frontmatter moves it under metadata.
        await actions.getByRole("button", { name: "Validate" }).click();
        const panel = page.getByRole("region", { name: "Validate" });
        await panel.getByRole("status", { name: "Validation result" }).filter({ hasText: "Not valid" }).waitFor();
        const finding = panel.getByRole("list", { name: "Findings" }).getByRole("listitem").filter({ hasText: "unknown_keys" });
        await finding.getByText(/How to fix: Move these keys under `metadata`/).waitFor();
        await screenshot(page, "skill-actions-validate");
        await panel.getByRole("button", { name: "Fix frontmatter" }).click();
        await panel.getByRole("status").filter({ hasText: "moved under metadata: team" }).waitFor();
        await panel.getByRole("status", { name: "Validation result" }).filter({ hasText: /^Valid/ }).waitFor();
        const fixed = await api(server, "lint_skill", { skillName: "act-skill" });
        assert.equal(fixed.body.ok, true, JSON.stringify(fixed.body));
        const history = await api(server, "get_skill_history", { skillName: "act-skill", limit: 5 });
        assert.match(history.body[0].message, /frontmatter fixed/);

        // Edit details, with the description suggested by the (fake) model.
        await actions.getByRole("button", { name: "Edit details" }).click();
        const details = page.getByRole("region", { name: "Edit details" });
        await details.getByRole("button", { name: "Suggest a description" }).click();
        await details.getByRole("status", { name: "Suggested description" }).getByText(SUGGESTED).waitFor();
        await details.getByRole("button", { name: "Use this description" }).click();
        assert.equal(await details.getByLabel("Description").inputValue(), SUGGESTED);
        await details.getByLabel("Tags").fill("pipelines, Review");
        await details.getByLabel("Purpose").selectOption("platform");
        await details.getByLabel("Version").fill("2.1.0");
        await screenshot(page, "skill-actions-details");
        await details.getByRole("button", { name: "Save details" }).click();
        await page.getByRole("heading", { level: 1 }).waitFor();
        await page.getByText(SUGGESTED).first().waitFor();
        const { body: skills } = await api(server, "list_skills", {});
        const s = skills.find((x) => x.name === "act-skill");
        assert.equal(s.description, SUGGESTED);
        assert.deepEqual([...s.tags].sort(), ["pipelines", "review"]);
        assert.equal(s.purpose, "platform");
        assert.equal(s.version, "2.1.0");
        assert.ok(anthropic.seen.some((r) => r.startsWith("POST /v1/messages")), "the suggestion came from the Messages API");

        // Rename: a kebab-case check as you type, then the page moves to the new name.
        await actions.getByRole("button", { name: "Rename" }).click();
        const rename = page.getByRole("region", { name: "Rename" });
        await rename.getByLabel("New name").fill("Act Skill");
        await rename.getByText("Use lower-case letters only.").waitFor();
        assert.equal(await rename.getByRole("button", { name: "Save new name" }).isDisabled(), true);
        await rename.getByLabel("New name").fill("renamed-skill");
        await rename.getByRole("button", { name: "Save new name" }).click();
        await page.waitForURL(/\/skills\/renamed-skill$/);
        await page.locator("p.crumbs", { hasText: "renamed-skill" }).waitFor();
        const after = (await api(server, "list_skills", {})).body.map((x) => x.name);
        assert.ok(after.includes("renamed-skill") && !after.includes("act-skill"), after.join(","));

        // Delete: asks first, then goes back to the library.
        await page.getByRole("toolbar", { name: "Skill actions" }).getByRole("button", { name: "Delete" }).click();
        const del = page.getByRole("region", { name: "Delete" });
        await del.getByText("Delete “renamed-skill”?").waitFor();
        await del.getByRole("button", { name: "Delete renamed-skill" }).click();
        await page.waitForURL((u) => u.pathname === "/");
        const left = (await api(server, "list_skills", {})).body.map((x) => x.name);
        assert.ok(!left.includes("renamed-skill"), left.join(","));
      },
      {
        prepare: (dataDir) => {
          cli(dataDir, ["build", "act-skill", "--description", "A skill whose page actions are tested. Use in tests."]);
          addUnknownKey(dataDir, "act-skill");
        },
        env: { ANTHROPIC_BASE_URL: anthropic.url, ANTHROPIC_API_KEY: "sk-ant-fake-key-for-tests" },
      },
    );
  } finally {
    await anthropic.stop();
  }
});
