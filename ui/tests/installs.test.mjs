// Installs into agents from a skill's page (issue 17): Install into Claude Code (user scope) and
// Codex (project scope), the installs list with its states (current, outdated, changed by hand,
// missing), Sync (a hand-changed copy is reported, then replaced only when asked, with a
// backup), Uninstall; and the "Auto-sync installs" setting. The server's HOME is a temp folder,
// so the user-scope installs land there.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withApp, api, cli, screenshot } from "./helpers.mjs";

const SKILL = "inst-skill";

test("install a skill into agents, see each install's state, sync and uninstall", { timeout: 180_000 }, async () => {
  const home = mkdtempSync(join(tmpdir(), "sb-ui-home-"));
  const project = join(home, "work", "project");
  mkdirSync(project, { recursive: true });
  const claudeCopy = join(home, ".claude", "skills", SKILL);
  const codexCopy = join(project, ".agents", "skills", SKILL);
  try {
    await withApp(
      "installs",
      async ({ page, server, dataDir }) => {
        await page.goto(`${server.origin}/skills/${SKILL}`);
        await page.getByRole("toolbar", { name: "Skill actions" }).getByRole("button", { name: "Install" }).click();
        await page.waitForURL(/tab=installs/);
        const form = page.getByRole("form", { name: "Install into an agent" });
        await page.getByText("Not installed into any agent yet.").waitFor();

        // Claude Code, user scope: into $HOME/.claude/skills/<skill>, deployable files only.
        await form.getByLabel("Agent").selectOption("claude-code");
        await form.getByText(`~/.claude/skills/${SKILL}`).waitFor();
        await form.getByRole("button", { name: "Install into Claude Code" }).click();
        await page.getByRole("status").filter({ hasText: `Installed into Claude Code at ${claudeCopy}` }).waitFor();
        assert.ok(existsSync(join(claudeCopy, "SKILL.md")), "SKILL.md installed");
        assert.ok(existsSync(join(claudeCopy, "references")), "references installed");
        assert.ok(!existsSync(join(claudeCopy, "context")), "context/ is never installed");

        // Codex, project scope: into <project>/.agents/skills/<skill>.
        await form.getByLabel("Agent").selectOption("codex");
        await form.getByLabel("Project").check();
        await form.getByLabel("Project folder").fill(project);
        await form.getByRole("button", { name: "Install into Codex" }).click();
        await page.getByRole("status").filter({ hasText: `Installed into Codex at ${codexCopy}` }).waitFor();
        assert.ok(existsSync(join(codexCopy, "SKILL.md")));

        const table = page.getByRole("table", { name: "Installs" });
        const row = (path) => table.locator(`tr[data-path="${path}"]`);
        await row(claudeCopy).getByText("Current").waitFor();
        await row(codexCopy).getByText("Current").waitFor();
        await row(codexCopy).getByRole("cell", { name: "Project", exact: true }).waitFor();

        // The library skill changes (outdated); the Claude Code copy is edited by hand.
        const ref = join(dataDir, "skills", SKILL, "references", "added-later.md");
        writeFileSync(ref, "# Added later\n");
        writeFileSync(join(claudeCopy, "SKILL.md"), readFileSync(join(claudeCopy, "SKILL.md"), "utf8") + "\nMy own note.\n");
        await page.getByRole("button", { name: "Refresh" }).click();
        await row(claudeCopy).getByText("Changed by hand").waitFor();
        await row(codexCopy).getByText("Outdated").waitFor();
        await screenshot(page, "installs-states");

        // Sync: the outdated copy is updated; the hand-changed one is reported and left alone.
        await page.getByRole("button", { name: "Sync", exact: true }).click();
        const results = page.getByRole("status", { name: "Sync results" });
        await results.getByText(/changed by hand: left as it is/).waitFor();
        await results.getByText(/updated/).waitFor();
        assert.ok(existsSync(join(codexCopy, "references", "added-later.md")), "the Codex copy was updated");
        assert.match(readFileSync(join(claudeCopy, "SKILL.md"), "utf8"), /My own note\./, "the hand-changed copy is untouched");
        await row(codexCopy).getByText("Current").waitFor();
        await row(claudeCopy).getByText("Changed by hand").waitFor();

        // Only when asked: replaced, the changed copy moved to a backup first.
        await results.getByRole("button", { name: "Sync and replace changed copies (keeps backups)" }).click();
        await results.getByText(/replaced \(the changed copy was backed up\)/).waitFor();
        assert.doesNotMatch(readFileSync(join(claudeCopy, "SKILL.md"), "utf8"), /My own note\./);
        await row(claudeCopy).getByText("Current").waitFor();

        // A deleted copy reads as missing.
        rmSync(codexCopy, { recursive: true, force: true });
        await page.getByRole("button", { name: "Refresh" }).click();
        await row(codexCopy).getByText("Missing").waitFor();

        // Uninstall removes only what was installed, and forgets it.
        await row(claudeCopy).getByRole("button", { name: "Uninstall from Claude Code (user)" }).click();
        await page.getByRole("status").filter({ hasText: "Uninstalled from Claude Code" }).waitFor();
        assert.ok(!existsSync(claudeCopy), "the copy is gone");
        assert.ok(existsSync(join(home, ".claude", "skills")), "the agent's skills folder stays");
        await row(claudeCopy).waitFor({ state: "detached" });
        const { body: left } = await api(server, "list_agent_installs", { skillName: SKILL });
        assert.deepEqual(
          left.map((i) => [i.agent, i.state]),
          [["codex", "missing"]],
        );

        // The auto-sync setting.
        await page.getByRole("link", { name: "Settings" }).click();
        const toggle = page.getByLabel("Auto-sync installs");
        assert.equal(await toggle.isChecked(), false);
        await toggle.check();
        await page.getByRole("button", { name: "Save settings" }).click();
        await page.getByRole("status").filter({ hasText: "Settings saved" }).waitFor();
        const { body: settings } = await api(server, "get_settings");
        assert.equal(settings.auto_sync_installs, true);
        await page.reload();
        await page.getByLabel("Auto-sync installs").waitFor();
        assert.equal(await page.getByLabel("Auto-sync installs").isChecked(), true);
      },
      {
        prepare: (dataDir) => cli(dataDir, ["build", SKILL, "--description", "A skill installed into agents. Use in tests."]),
        env: { HOME: home },
      },
    );
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
