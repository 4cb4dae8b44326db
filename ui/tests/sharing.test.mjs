// Sharing through git (issue 17), against real git repositories made with the git CLI in temp
// folders (`file://` URLs):
// - the library page's "Share with team": Publish to a bare repository (checked with
//   `git clone`: marketplace.json lists the skill), Pull a teammate's new skill (it appears in
//   the library), and a conflict on a skill changed on both sides (the skill is named, nothing
//   is changed on either side);
// - Publish with no remote at all: the invalid_input error is shown at the URL field;
// - the import page's "From a git URL": list, import into the library and the workspace, an
//   unchanged re-import reads "skipped (unchanged)", a changed one "updated".
// Every wait is for a final state (text, role, attribute), never a single read of a state that
// may still change.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { withApp, api, cli, screenshot } from "./helpers.mjs";

/** Waits on the server (a fetch, a push, an import): generous, the CI machines are slow. */
const SERVER = { timeout: 30_000 };

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: "Teammate",
  GIT_AUTHOR_EMAIL: "teammate@example.com",
  GIT_COMMITTER_NAME: "Teammate",
  GIT_COMMITTER_EMAIL: "teammate@example.com",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_TERMINAL_PROMPT: "0",
};

/** Runs the git CLI; its stdout, trimmed. Throws with stderr on failure. */
function git(args, cwd) {
  const r = spawnSync("git", args, { cwd, env: GIT_ENV, encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return r.stdout.trim();
}

function write(path, text) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

const skillMd = (name, description, version, body = `Body of ${name}.`) => `---
name: ${name}
description: ${description}
version: ${version}
---
# ${name}

${body}
`;

/** A temp folder removed after `fn`. */
async function inTemp(name, fn) {
  const dir = mkdtempSync(join(tmpdir(), `sb-ui-${name}-`));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** At a phone width (360 px) the page must not scroll sideways; a screenshot of it is kept. */
async function fitsPhone(page, name) {
  const before = page.viewportSize();
  await page.setViewportSize({ width: 360, height: 900 });
  try {
    await page.waitForFunction(() => window.innerWidth === 360);
    const { extra, wide } = await page.evaluate(() => {
      const extra = document.scrollingElement.scrollWidth - window.innerWidth;
      const wide = [...document.querySelectorAll("body *")]
        .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
        .slice(0, 5)
        .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
      return { extra, wide };
    });
    assert.ok(extra <= 0, `${name} scrolls sideways by ${extra} px at 360 px: ${wide.join(", ")}`);
    await screenshot(page, `${name}-360`);
  } finally {
    await page.setViewportSize(before);
  }
}

const SHARED = "share-skill";

test("publish the library to a bare git repository, pull a teammate's new skill, and a conflict changes nothing", { timeout: 240_000 }, async () => {
  await inTemp("share-remote", async (tmp) => {
    const bare = join(tmp, "team-skills.git");
    git(["init", "--bare", "-b", "main", bare], tmp);
    const remoteUrl = pathToFileURL(bare).href;
    const clone = join(tmp, "clone");

    await withApp(
      "sharing-publish",
      async ({ page, server, dataDir }) => {
        await page.locator(`[data-skill="${SHARED}"]`).waitFor(SERVER);
        await page.getByRole("button", { name: "Share with team" }).click();
        const panel = page.getByRole("region", { name: "Share with your team through git" });
        await panel.waitFor();
        const form = panel.getByRole("form", { name: "Share through git" });
        assert.equal(await form.getByLabel("Branch").inputValue(), "main", "the branch defaults to main");

        // Publish: progress, then the result in words.
        await form.getByLabel("Remote URL").fill(remoteUrl);
        await form.getByRole("button", { name: "Publish", exact: true }).click();
        await panel.getByRole("status").filter({ hasText: `Published 1 skill to ${remoteUrl} (main).` }).waitFor(SERVER);
        await form.getByRole("button", { name: "Publish", exact: true, disabled: false }).waitFor();
        await screenshot(page, "sharing-published");

        // The remote, cloned with the git CLI: a marketplace listing the skill, with its sources.
        git(["clone", "-q", "-b", "main", remoteUrl, clone], tmp);
        const market = JSON.parse(readFileSync(join(clone, ".claude-plugin", "marketplace.json"), "utf8"));
        const listed = market.plugins.flatMap((p) => p.skills ?? []);
        assert.ok(listed.includes(`./${SHARED}`), `marketplace.json lists ./${SHARED}: ${JSON.stringify(market.plugins)}`);
        assert.ok(existsSync(join(clone, SHARED, "SKILL.md")), "the skill's SKILL.md is published");
        assert.ok(existsSync(join(clone, SHARED, "context")), "the skill's sources (context/) are published");

        // A teammate publishes a new skill; Pull (the URL left empty: the saved remote) brings it in.
        write(join(clone, "team-skill", "SKILL.md"), skillMd("team-skill", "A teammate's skill. Use when testing pulls.", "1.0.0"));
        git(["add", "-A"], clone);
        git(["commit", "-q", "-m", "team-skill: new"], clone);
        git(["push", "-q", "origin", "main"], clone);
        await form.getByLabel("Remote URL").fill("");
        await form.getByRole("button", { name: "Pull", exact: true }).click();
        await panel.getByRole("status").filter({ hasText: `Pulled from ${remoteUrl} (main): new skill team-skill.` }).waitFor(SERVER);
        await page.locator('[data-skill="team-skill"]').waitFor(SERVER);
        assert.ok(existsSync(join(dataDir, "skills", "team-skill", "SKILL.md")), "the pulled skill is in the skills folder");

        // The same skill changed on both sides: a teammate pushes a change to it while it has
        // local changes not yet in the history. Publish stops, names it, and changes nothing.
        const localMd = join(dataDir, "skills", SHARED, "SKILL.md");
        writeFileSync(localMd, readFileSync(localMd, "utf8") + "\nMy local change.\n");
        git(["pull", "-q", "--no-rebase", "origin", "main"], clone);
        const teamMd = join(clone, SHARED, "SKILL.md");
        writeFileSync(teamMd, readFileSync(teamMd, "utf8") + "\nThe teammate's change.\n");
        git(["commit", "-q", "-am", `${SHARED}: teammate's change`], clone);
        git(["push", "-q", "origin", "main"], clone);
        const remoteHead = git(["--git-dir", bare, "rev-parse", "main"], tmp);

        await form.getByRole("button", { name: "Publish", exact: true }).click();
        const conflict = panel.locator('[role="alert"][data-kind="conflict"]');
        await conflict.waitFor(SERVER);
        await conflict.getByRole("list", { name: "Skills in conflict" }).getByText(SHARED, { exact: true }).waitFor();
        await conflict.getByText("Nothing was changed:").waitFor();
        await screenshot(page, "sharing-conflict");
        await fitsPhone(page, "sharing-conflict");
        assert.equal(git(["--git-dir", bare, "rev-parse", "main"], tmp), remoteHead, "the remote is as it was");
        assert.match(readFileSync(localMd, "utf8"), /My local change\./, "the local change is kept");
        assert.doesNotMatch(readFileSync(localMd, "utf8"), /The teammate's change\./, "nothing was merged into the local copy");
      },
      { prepare: (dataDir) => cli(dataDir, ["build", SHARED, "--description", "A skill shared with the team. Use in tests."]) },
    );
  });
});

test("publish with no remote at all shows the invalid_input error at the URL field", { timeout: 120_000 }, async () => {
  await withApp("sharing-no-remote", async ({ page }) => {
    // An empty library offers pulling the team's skills, which opens the same panel.
    await page.getByRole("button", { name: "Pull the team's skills" }).click();
    const panel = page.getByRole("region", { name: "Share with your team through git" });
    const form = panel.getByRole("form", { name: "Share through git" });
    await form.getByRole("button", { name: "Publish", exact: true }).click();
    const alert = panel.locator('[role="alert"][data-kind="invalid_input"]');
    await alert.filter({ hasText: "no remote to publish to" }).waitFor(SERVER);
    await form.locator('input[aria-invalid="true"]').waitFor();
    assert.equal(await form.locator('input[aria-invalid="true"]').getAttribute("aria-describedby"), "share-remote-help", "the URL field is the one marked");
    await panel.getByText("Enter the remote URL above.").waitFor();
    // Nothing was published: no result, and the buttons are usable again.
    await form.getByRole("button", { name: "Publish", exact: true, disabled: false }).waitFor();
    assert.equal(await panel.getByRole("status").filter({ hasText: "Published" }).count(), 0);
    await screenshot(page, "sharing-no-remote");
  });
});

test("import skills from a git URL into the library and the workspace; unchanged re-imports are skipped", { timeout: 240_000 }, async () => {
  await inTemp("git-source", async (tmp) => {
    // A repository made with the git CLI, two skill folders under skills/.
    const repo = join(tmp, "source");
    git(["init", "-q", "-b", "main", repo], tmp);
    write(join(repo, "skills", "git-skill", "SKILL.md"), skillMd("git-skill", "Explains the git fixture. Use when testing git imports.", "1.0.0"));
    write(join(repo, "skills", "git-skill", "references", "notes.md"), "# Notes\n");
    write(join(repo, "skills", "other-skill", "SKILL.md"), skillMd("other-skill", "Another fixture skill. Use when testing lists.", "0.1.0"));
    git(["add", "-A"], repo);
    git(["commit", "-q", "-m", "two skills"], repo);
    const url = pathToFileURL(repo).href;

    await withApp("sharing-git-import", async ({ page, server, dataDir }) => {
      await page.getByRole("link", { name: "Import", exact: true }).click();
      const section = page.getByRole("region", { name: "From a git URL" });
      const form = section.getByRole("form", { name: "List skills in a git repository" });
      await form.getByLabel("Git URL").fill(url);
      await form.getByRole("button", { name: "List skills" }).click();
      const list = section.getByRole("list", { name: "Skills in the git repository" });
      const item = (name) => list.getByRole("listitem").filter({ hasText: name });
      await item("git-skill").getByText("skills/git-skill").waitFor(SERVER);
      await item("other-skill").getByText("Another fixture skill.").waitFor();
      await section.getByText(/2 skills in .* at main/).waitFor();
      await screenshot(page, "sharing-git-listed");

      // Into the library (the default target).
      await item("git-skill").getByRole("checkbox", { name: "Import git-skill" }).check();
      await section.getByRole("button", { name: "Import 1 skill into the library" }).click();
      const results = section.getByRole("status", { name: "Git import results" });
      await results.getByText("git-skill: imported").waitFor(SERVER);
      await item("git-skill").getByRole("status", { name: "git-skill: imported" }).waitFor();
      const { body: skills } = await api(server, "list_skills", { workspacePath: "" });
      assert.ok(skills.some((s) => s.name === "git-skill"), "git-skill is in the library");
      assert.ok(existsSync(join(dataDir, "skills", "git-skill", "references", "notes.md")), "its files came along");

      // The listing's import state, when this backend reports it (list_git_skills may not yet).
      const { body: relisted } = await api(server, "list_git_skills", { url });
      const listedSkill = relisted.skills.find((s) => s.path === "skills/git-skill");
      const reportsState = ["imported", "updateAvailable", "update_available"].some((k) => k in listedSkill);

      // The same commit again: skipped (unchanged).
      await section.getByRole("button", { name: "Import 1 skill into the library", disabled: false }).click();
      await results.getByText("git-skill: skipped (unchanged)").waitFor(SERVER);

      // Into the workspace.
      await section.getByLabel("The workspace").check();
      await section.getByRole("button", { name: "Import 1 skill into the workspace" }).click();
      await results.getByText("git-skill: imported").waitFor(SERVER);
      await screenshot(page, "sharing-git-imported");
      await fitsPhone(page, "sharing-git-imported");
      await results.getByRole("link", { name: "workspace skills" }).click();
      await page.getByRole("switch", { name: "Active: git-skill" }).waitFor(SERVER);

      // The source moves on: a new list shows it (when reported), and the import updates it.
      const md = join(repo, "skills", "git-skill", "SKILL.md");
      writeFileSync(md, skillMd("git-skill", "Explains the git fixture. Use when testing git imports.", "1.1.0", "A newer body."));
      git(["commit", "-q", "-am", "git-skill 1.1.0"], repo);
      await page.getByRole("link", { name: "Import", exact: true }).click();
      await form.getByLabel("Git URL").fill(url);
      await form.getByRole("button", { name: "List skills" }).click();
      await item("git-skill").getByText("v1.1.0").waitFor(SERVER);
      if (reportsState) await item("git-skill").getByText("update available").waitFor();
      await screenshot(page, "sharing-git-relisted");
      await item("git-skill").getByRole("checkbox", { name: "Import git-skill" }).check();
      await section.getByRole("button", { name: "Import 1 skill into the library" }).click();
      await results.getByText("git-skill: updated").waitFor(SERVER);
      if (reportsState) await item("git-skill").getByText(/^imported\b/).waitFor();
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Skills library" }).click();
      await page.locator('[data-skill="git-skill"]').waitFor(SERVER);
      assert.match(readFileSync(join(dataDir, "skills", "git-skill", "SKILL.md"), "utf8"), /A newer body\./, "the library holds the new version");
    });
  });
});
