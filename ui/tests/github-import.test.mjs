// GitHub / marketplace import against a fake GitHub: browse a repository URL, pick skills,
// override metadata, import into the skills library with per-skill progress.

import { test } from "node:test";
import assert from "node:assert/strict";
import { withApp, api } from "./helpers.mjs";
import { startFakeGitHub } from "./fake-github.mjs";

const skillMd = (name, description, version) => `---
name: ${name}
description: ${description}
version: ${version}
---
# ${name}

Body of ${name}.
`;

const FILES = {
  ".claude-plugin/marketplace.json": JSON.stringify({
    name: "Fixture Marketplace",
    plugins: [{ name: "data-tools", source: "./plugins/data-tools", description: "Data tools" }],
  }),
  "plugins/data-tools/.claude-plugin/plugin.json": JSON.stringify({ name: "data-tools" }),
  "plugins/data-tools/skills/dbt-helper/SKILL.md": skillMd("dbt-helper", "Helps with dbt models. Use when writing dbt.", "1.0.0"),
  "plugins/data-tools/skills/dbt-helper/references/style.md": "# Style\n",
  "plugins/data-tools/skills/sql-linter/SKILL.md": skillMd("sql-linter", "Lints SQL. Use when reviewing SQL.", "0.3.0"),
};

test("browse a GitHub marketplace and import a skill into the library with overrides", { timeout: 60_000 }, async () => {
  const gh = await startFakeGitHub({ owner: "acme", repo: "skills", files: FILES });
  try {
    await withApp(
      "import-github",
      async ({ page, server }) => {
        await page.getByRole("link", { name: "Import", exact: true }).click();
        await page.getByLabel("GitHub URL").fill("https://github.com/acme/skills");
        await page.getByRole("button", { name: "Browse skills" }).click();
        const list = page.getByRole("list", { name: "Available skills" });
        await list.getByText("dbt-helper").waitFor();
        await list.getByText("sql-linter").waitFor();

        await list.getByRole("listitem").filter({ hasText: "dbt-helper" }).getByRole("checkbox").check();
        await page.getByText("Metadata overrides for dbt-helper").click();
        await list.getByLabel("Description").fill("Our dbt conventions. Use when writing dbt models.");
        await page.getByLabel("Skills library").check();
        await page.getByRole("button", { name: "Import 1 selected" }).click();
        await list.getByRole("status").filter({ hasText: /^done/ }).waitFor();
        await page.getByText("1 of 1 done").waitFor();

        await page.getByRole("link", { name: "Skills library" }).click();
        await page.getByRole("link", { name: "dbt-helper" }).waitFor();
        const { body: skills } = await api(server, "list_skills", { workspacePath: "" });
        const s = skills.find((x) => x.name === "dbt-helper");
        assert.ok(s, "imported into the library");
        assert.equal(s.description, "Our dbt conventions. Use when writing dbt models.");
      },
      { env: { SKILL_BUILDER_GITHUB_API_URL: gh.apiUrl, SKILL_BUILDER_GITHUB_RAW_URL: gh.rawUrl } },
    );
  } catch (e) {
    console.error(`fake GitHub saw:\n${gh.requests.join("\n")}`);
    throw e;
  } finally {
    await gh.stop();
  }
});
