// (c) History of a built skill: versions, a diff (side by side and unified), and restoring an
// older version. The skill is built beforehand with the CLI (`skill-builder build`, mock agents).

import { test } from "node:test";
import assert from "node:assert/strict";
import { withApp, cli, implemented, screenshot, NOT_AVAILABLE } from "./helpers.mjs";

test("view the history of a skill, diff a version and restore an older one", { timeout: 120_000 }, async () => {
  await withApp(
    "history",
    async ({ page, server }) => {
      // The finished build replays its last step's transcript.
      await page.goto(`${server.origin}/skills/hist-skill/build`);
      await page.getByText("Skill built.").waitFor();
      await page.getByRole("region", { name: "Agent output of step 4" }).getByText(/^Finished/).waitFor();
      await page.getByRole("button", { name: /^Step 1: Research/ }).click();
      await page.getByRole("region", { name: "Agent output of step 1" }).getByText(/^Finished/).waitFor();
      await page.getByRole("link", { name: "Skills", exact: true }).click();

      await page.getByRole("link", { name: "hist-skill" }).click();
      await page.getByRole("tab", { name: "History" }).click();
      const versions = page.getByRole("list", { name: "Versions" });
      await versions.waitFor();
      const items = versions.getByRole("listitem");
      assert.ok((await items.count()) >= 4, "one version per completed step");
      await versions.getByText("hist-skill: step 4 (Generate Skill) completed").waitFor();

      // The newest version added SKILL.md: shown side by side, then unified.
      await items.first().getByRole("button", { name: /Show changes/ }).click();
      const changes = page.getByRole("region", { name: "Changes" });
      await changes.getByText("hist-skill/SKILL.md").waitFor();
      await changes.getByRole("table", { name: "Side-by-side diff of hist-skill/SKILL.md" }).waitFor();
      await changes.getByLabel("Unified").check();
      await changes.getByRole("table", { name: "Unified diff of hist-skill/SKILL.md" }).waitFor();
      await screenshot(page, "history-diff");

      // The refine chat: works when implemented, otherwise says so plainly.
      await page.getByRole("tab", { name: "Refine" }).click();
      await page.getByRole("button", { name: "Start refine session" }).click();
      if (!(await implemented(server, "start_refine_session"))) {
        await page.getByRole("alert").filter({ hasText: NOT_AVAILABLE }).waitFor();
        console.log("note: start_refine_session returns 501 in this build; the friendly message is shown");
      } else {
        await page.getByLabel("Message to the refine agent").waitFor();
        await page.getByRole("region", { name: "Changes since the last version" }).getByText("no changes").waitFor();
        await page.getByRole("button", { name: "Keep changes and close" }).click();
        await page.getByRole("status").filter({ hasText: "Session closed" }).waitFor();
      }

      // Restore the version of step 2 (before SKILL.md existed).
      await page.getByRole("tab", { name: "History" }).click();
      const older = items.filter({ hasText: "hist-skill: step 3 (Confirm Decisions) completed" });
      await older.getByRole("button", { name: /Restore version/ }).click();
      await older.getByRole("button", { name: "Confirm restore" }).click();
      await page.getByRole("status").filter({ hasText: "Restored the version" }).waitFor();
      await versions.getByRole("listitem").first().getByText(/hist-skill: restored to [0-9a-f]{8}/).waitFor();

      await page.getByRole("tab", { name: "Files" }).click();
      const files = page.getByRole("list", { name: "Skill files" });
      await files.getByRole("button", { name: /context\/decisions\.md/ }).waitFor();
      assert.equal(await files.getByRole("button", { name: /^SKILL\.md/ }).count(), 0, "SKILL.md is gone after restoring step 2's version");


      // A command this build's server does not know (a UI newer than its backend) gives a plain
      // "not available" message.
      await page.route("**/api/list_skill_test_results", (route) =>
        route.fulfill({ status: 404, contentType: "application/json", body: JSON.stringify({ error: { kind: "unknown_command", message: "unknown command 'list_skill_test_results'" } }) }),
      );
      await page.getByRole("tab", { name: "Test" }).click();
      const alert = page.getByRole("alert").filter({ hasText: NOT_AVAILABLE });
      await alert.waitFor();
      assert.equal(await alert.getByRole("button", { name: "Try again" }).count(), 0, "no retry for a missing feature");
    },
    { prepare: (dataDir) => cli(dataDir, ["build", "hist-skill", "--description", "A skill with history"]) },
  );
});
