// Workspace skills (issue 16): view a skill's SKILL.md, give it a purpose, export it (a ZIP
// download), delete it; and a ZIP imported into the skills library instead (the user picks).

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withApp, api, makeZip, screenshot } from "./helpers.mjs";

const skillMd = (name, description) => `---
name: ${name}
description: ${description}
version: 1.0.0
---
# ${name}

Body of ${name}.
`;

test("workspace skills: view, purpose, export and delete", { timeout: 90_000 }, async () => {
  const src = mkdtempSync(join(tmpdir(), "sb-ui-zips-"));
  try {
    await withApp("workspace-actions", async ({ page, server }) => {
      const zipPath = join(src, "ws-helper.zip");
      writeFileSync(zipPath, makeZip({ "ws-helper/SKILL.md": skillMd("ws-helper", "Helps the agents research. Use when researching."), "ws-helper/references/notes.md": "# Notes\n" }));
      const up = await api(server, "upload_skill", { filePath: zipPath });
      assert.equal(up.status, 200, JSON.stringify(up.body));

      await page.getByRole("link", { name: "Workspace skills" }).click();
      const row = page.locator('tr[data-skill="ws-helper"]');
      await row.waitFor();

      // View: the SKILL.md text in a panel.
      await row.getByRole("button", { name: "View ws-helper" }).click();
      const view = page.getByRole("region", { name: "SKILL.md of ws-helper" });
      await view.getByText("Body of ws-helper.").waitFor();
      await screenshot(page, "workspace-view");
      await view.getByRole("button", { name: "Close" }).click();
      await view.waitFor({ state: "detached" });

      // Purpose.
      await row.getByLabel("Purpose of ws-helper").selectOption("research");
      await page.getByRole("status").filter({ hasText: "“ws-helper” now has the purpose research" }).waitFor();
      let list = (await api(server, "list_workspace_skills")).body;
      assert.equal(list.find((s) => s.skill_name === "ws-helper").purpose, "research");

      // Export: a ZIP download with the skill's files under ws-helper/.
      const [download] = await Promise.all([page.waitForEvent("download"), row.getByRole("button", { name: "Export ws-helper" }).click()]);
      assert.equal(download.suggestedFilename(), "ws-helper.zip");
      const bytes = readFileSync(await download.path());
      assert.equal(bytes.subarray(0, 2).toString("latin1"), "PK");
      assert.ok(bytes.includes(Buffer.from("ws-helper/SKILL.md")));
      assert.ok(bytes.includes(Buffer.from("ws-helper/references/notes.md")));

      // Delete, after a confirmation; bundled skills cannot be deleted.
      await row.getByRole("button", { name: "Delete ws-helper" }).click();
      await row.getByRole("button", { name: "Confirm delete" }).click();
      await page.getByRole("status").filter({ hasText: "Deleted “ws-helper”." }).waitFor();
      await row.waitFor({ state: "detached" });
      list = (await api(server, "list_workspace_skills")).body;
      assert.ok(!list.some((s) => s.skill_name === "ws-helper"));
      const bundled = list.find((s) => s.is_bundled);
      if (bundled) assert.equal(await page.getByRole("button", { name: `Delete ${bundled.skill_name}` }).isDisabled(), true);
    });
  } finally {
    rmSync(src, { recursive: true, force: true });
  }
});

test("a ZIP imported into the skills library", { timeout: 90_000 }, async () => {
  await withApp("import-zip-library", async ({ page, server }) => {
    await page.getByRole("link", { name: "Import", exact: true }).click();
    await page.getByLabel("Library (as one of your skills)").check();
    const zip = makeZip({ "lib-zip/SKILL.md": skillMd("lib-zip", "Answers from the zip fixture. Use when testing."), "lib-zip/references/a.md": "# A\n" });
    await page.getByLabel("Skill ZIP file").setInputFiles({ name: "lib-zip.zip", mimeType: "application/zip", buffer: zip });
    const done = page.getByRole("status").filter({ hasText: "Imported “lib-zip” version 1.0.0 into the library" });
    await done.waitFor();

    const { body: skills } = await api(server, "list_skills", {});
    const s = skills.find((x) => x.name === "lib-zip");
    assert.ok(s, "in the library");
    assert.equal(s.skill_source, "imported");
    const { body: ws } = await api(server, "list_workspace_skills");
    assert.ok(!ws.some((x) => x.skill_name === "lib-zip"), "not a workspace skill");
    const { body: history } = await api(server, "get_skill_history", { skillName: "lib-zip", limit: 5 });
    assert.equal(history[0].message.trim(), "lib-zip: imported");

    await done.getByRole("link", { name: "lib-zip" }).click();
    await page.waitForURL(/\/skills\/lib-zip$/);
    await page.getByRole("list", { name: "Skill files" }).getByRole("button", { name: /references\/a\.md/ }).waitFor();
  });
});
