// Words a person reads (issue 16): skill states with one-based steps, "build it first" before a
// skill has its SKILL.md (Refine and Test disabled), the question gate's sticky
// "n/N answered · Continue" footer that focuses the first unanswered required question, and
// one offline banner (not an error box per request) when the server is gone.

import { test } from "node:test";
import assert from "node:assert/strict";
import { withApp, api, cli, screenshot } from "./helpers.mjs";

async function body(server, name, args) {
  const r = await api(server, name, args);
  assert.equal(r.status, 200, `${name}: ${JSON.stringify(r.body)}`);
  return r.body;
}

test("states read as words, and a skill without SKILL.md says to build it first", { timeout: 120_000 }, async () => {
  await withApp(
    "words-states",
    async ({ page, server }) => {
      const state = (name) => page.locator(`[data-skill="${name}"]`).getByText(/^(Not started|Built|Needs your answers|Running .*)$/);
      await page.getByRole("heading", { name: "Skills library" }).waitFor();
      assert.equal(await state("draft-skill").innerText(), "Not started");
      assert.equal(await state("done-skill").innerText(), "Built");
      assert.equal(await page.getByText(/^Step \d$/).count(), 0, "no raw step ids");

      // Refine and Test wait for SKILL.md.
      await page.goto(`${server.origin}/skills/draft-skill?tab=refine`);
      const first = page.getByRole("status", { name: "Build it first" });
      await first.getByText("This skill has no SKILL.md yet — build it first.").waitFor();
      assert.ok(await page.getByRole("button", { name: "Start refine session" }).isDisabled());
      await first.getByRole("link", { name: "continue the build" }).waitFor();
      await page.getByRole("tab", { name: "Test" }).click();
      await page.getByRole("status", { name: "Build it first" }).waitFor();
      await page.getByLabel("Test prompt").fill("Plan something");
      assert.ok(await page.getByRole("button", { name: "Run test" }).isDisabled());
      await screenshot(page, "words-build-it-first");

      // A built skill can be refined and tested.
      await page.goto(`${server.origin}/skills/done-skill?tab=refine`);
      // The button stays disabled until the page knows SKILL.md exists, so wait for it to enable.
      await page.getByRole("button", { name: "Start refine session", disabled: false }).waitFor();
      assert.equal(await page.getByRole("status", { name: "Build it first" }).count(), 0);
    },
    {
      prepare: (dataDir) => {
        cli(dataDir, ["create", "draft-skill", "--purpose", "domain"]);
        cli(dataDir, ["build", "done-skill", "--description", "A finished skill"]);
      },
    },
  );
});

test("the question gate counts answers in a sticky footer and focuses the first unanswered question", { timeout: 120_000 }, async () => {
  await withApp("words-gate", async ({ page, server }) => {
    await body(server, "create_skill", { name: "gate-words", purpose: "domain", description: "Gate wording" });
    await page.setViewportSize({ width: 1280, height: 700 });
    await page.goto(`${server.origin}/skills/gate-words/build?autostart=1`);
    const gate = page.getByRole("region", { name: "Clarification questions" });
    await gate.waitFor({ timeout: 60_000 });

    const settings = await body(server, "get_settings");
    const c = JSON.parse(await body(server, "read_file", { filePath: `${settings.skills_path}/gate-words/context/clarifications.json` }));
    const questions = c.sections.flatMap((s) => s.questions);
    const answered = (q) => (q.answer_choice ?? "") !== "" || !!q.answer_text?.trim();
    const required = questions.filter((q) => q.must_answer && !answered(q));
    assert.ok(required.length > 0, "the mock research asks required questions");
    const done = questions.filter(answered).length;

    const footer = gate.getByRole("group", { name: "Answers" });
    await footer.getByText(`${done}/${questions.length} answered`).waitFor();
    const next = footer.getByRole("button", { name: "Continue to Detailed Research" });
    // The footer stays in view while the questions scroll under it.
    const box = await footer.boundingBox();
    assert.ok(box.y + box.height <= 700 + 1 && box.y >= 0, `footer in view: ${JSON.stringify(box)}`);

    await next.click();
    const target = required[0].id;
    await page.waitForFunction((id) => document.activeElement?.closest("fieldset")?.getAttribute("data-question") === id, target);
    const q = gate.locator(`fieldset[data-question="${target}"]`);
    assert.equal(await q.getAttribute("aria-invalid"), "true");
    await page.waitForFunction(
      (id) => {
        const r = document.querySelector(`fieldset[data-question="${id}"]`).getBoundingClientRect();
        return r.top >= 0 && r.top < window.innerHeight;
      },
      target,
    );
    await screenshot(page, "words-gate-focus");

    // Answering counts at once.
    await q.getByRole("radio").first().check();
    await footer.getByText(`${done + 1}/${questions.length} answered`).waitFor();
  });
});

test("a lost server is one offline banner, not an error box per request", { timeout: 60_000 }, async () => {
  await withApp("words-offline", async ({ page, server }) => {
    await page.getByRole("heading", { name: "Skills library" }).waitFor();
    await server.stop();
    await page.getByRole("link", { name: "Usage & cost" }).click();
    const banner = page.getByRole("alert", { name: "Server offline" });
    await banner.waitFor({ timeout: 20_000 });
    assert.match(await banner.innerText(), new RegExp(`Lost the connection to the Skill Builder server at ${server.origin.replace(/[.]/g, "\\.")}`));
    assert.match(await banner.innerText(), /skill-builder serve/);
    await page.getByRole("link", { name: "Settings" }).click();
    await page.getByRole("heading", { name: "Settings" }).waitFor();
    // Its settings request has failed by the time the spinner is gone.
    await page.locator(".spinner-row").waitFor({ state: "detached" });
    assert.equal(await page.locator(".alert-error").count(), 0, "no error box besides the banner");
    assert.equal(await page.getByRole("alert").count(), 1, "one alert: the banner");
    await screenshot(page, "words-offline");
  });
});

test("SKILL.md renders as Markdown with a raw toggle, and nothing of its own HTML runs", { timeout: 120_000 }, async () => {
  await withApp(
    "words-markdown",
    async ({ page, server }) => {
      const settings = await body(server, "get_settings");
      const hostile = [
        "---",
        "name: md-skill",
        'description: "Renders safely. Use when checking Markdown."',
        "---",
        "# Heading one",
        "",
        "Some **bold** text and a [good link](https://example.com/docs).",
        "",
        '<img src="x" onerror="window.__pwned = 1">',
        "<script>window.__pwned = 2</script>",
        "",
        "[bad link](javascript:window.__pwned=3) ![pic](https://example.com/p.png)",
        "",
      ].join("\n");
      await body(server, "write_file", { path: `${settings.skills_path}/md-skill/SKILL.md`, content: hostile });
      await page.goto(`${server.origin}/skills/md-skill`);
      const content = page.getByRole("region", { name: "Content of SKILL.md" });
      await content.getByRole("heading", { name: "Heading one" }).waitFor();
      await content.getByRole("definition").filter({ hasText: /^Renders safely\. Use when checking Markdown\.$/ }).waitFor();
      assert.equal(await content.locator("strong").first().innerText(), "bold");
      assert.equal(await content.getByRole("link", { name: "good link" }).getAttribute("href"), "https://example.com/docs");
      // Raw HTML is shown as text; a script link is plain text; an image is a link, not a fetch.
      await content.getByText('<img src="x" onerror="window.__pwned = 1">').waitFor();
      assert.equal(await content.locator("img, script").count(), 0);
      assert.equal(await content.locator('a[href^="javascript"]').count(), 0);
      await content.getByRole("link", { name: "[image: pic]" }).waitFor();
      assert.equal(await page.evaluate(() => window.__pwned), undefined, "no HTML of the skill ran");
      await content.getByRole("button", { name: "Show raw" }).click();
      await content.getByText("# Heading one").waitFor();
      await content.getByRole("button", { name: "Show formatted" }).click();
      await content.getByRole("heading", { name: "Heading one" }).waitFor();
    },
    { prepare: (dataDir) => cli(dataDir, ["create", "md-skill", "--purpose", "domain"]) },
  );
});
