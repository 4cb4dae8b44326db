// The Evals tab of a skill (issue 15): an eval and a trigger query added in the editor (a missing
// prompt is caught on the page, a bad pattern refused by the backend and shown on its eval),
// saved into evals/evals.json and evals/triggers.json, run with live progress (eval-progress),
// the results matrix (eval × configuration, each expectation's verdict and evidence) and trigger
// rates; a second version that breaks the eval is run against the first: the regression is
// marked in the results and in the chart across versions. At 390 px nothing scrolls sideways.
// The mock agents answer "Mock response …", slowed down so the progress can be seen (also after
// leaving the tab and coming back).

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { withApp, api, cli, screenshot } from "./helpers.mjs";

const SKILL = "eval-skill";

async function sidewaysScroll(page) {
  return page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
}

test("edit, save and run a skill's evals; see the matrix, trigger rates and the chart with a regression", { timeout: 240_000 }, async () => {
  await withApp(
    "evals",
    async ({ page, server, dataDir }) => {
      await page.goto(`${server.origin}/skills/${SKILL}`);
      await page.getByRole("tab", { name: "Evals" }).click();
      await page.waitForURL(/tab=evals/);
      await page.getByText("No evals yet.").waitFor();
      await page.getByText("No trigger queries yet.").waitFor();
      await page.getByText("No runs yet.").waitFor();

      // Add an eval: a missing prompt is caught before anything is sent.
      await page.getByRole("button", { name: "Add eval" }).click();
      const ev = page.getByRole("listitem", { name: "Eval 1" });
      assert.equal(await ev.getByLabel("Id").inputValue(), "1");
      const save = page.getByRole("button", { name: "Save evals" });
      await save.click();
      await ev.getByText("Write the prompt the agent is given.").waitFor();
      assert.equal(await ev.getByLabel("Prompt").getAttribute("aria-invalid"), "true");
      await ev.getByText("Write the expectation, or remove it.").waitFor();

      // A pattern only the backend checks: its refusal is shown on the eval it is about.
      await ev.getByLabel("Prompt").fill("Summarise the fruit report.");
      await ev.getByLabel("Expected output").fill("A short summary.");
      await ev.getByLabel("Expectation 1 of eval 1", { exact: true }).fill("regex: (");
      await save.click();
      await ev.getByRole("alert").filter({ hasText: /evals\/evals\.json: eval 1 .*is not valid/ }).waitFor();
      assert.equal((await api(server, "get_evals", { skillName: SKILL })).body.evals, null, "nothing was written");

      await ev.getByLabel("Expectation 1 of eval 1", { exact: true }).fill("contains: Mock response");
      await ev.getByRole("button", { name: "Add expectation" }).click();
      await ev.getByLabel("Expectation 2 of eval 1", { exact: true }).fill("regex: (?i)mock");

      // A trigger query, and one added then deleted.
      await page.getByRole("button", { name: "Add trigger query" }).click();
      await page.getByLabel("Trigger query 1", { exact: true }).fill("Summarise this fruit report for me");
      assert.equal(await page.getByLabel("Query 1 should trigger").isChecked(), true);
      await page.getByRole("button", { name: "Add trigger query" }).click();
      await page.getByLabel("Trigger query 2", { exact: true }).fill("a query to delete");
      await page.getByRole("button", { name: "Delete trigger query 2" }).click();
      assert.equal(await page.getByLabel("Trigger query 2", { exact: true }).count(), 0);

      // The run waits for the save: it measures the saved files.
      assert.equal(await page.getByRole("button", { name: "Run evals" }).isDisabled(), true);
      await save.click();
      await page.getByRole("status").filter({ hasText: /Evals saved \(version [0-9a-f]{8}\)/ }).waitFor();
      const evalsFile = JSON.parse(readFileSync(join(dataDir, "skills", SKILL, "evals", "evals.json"), "utf8"));
      assert.deepEqual(evalsFile, {
        skill_name: SKILL,
        evals: [{ id: 1, prompt: "Summarise the fruit report.", expected_output: "A short summary.", files: [], expectations: ["contains: Mock response", "regex: (?i)mock"] }],
      });
      const triggersFile = JSON.parse(readFileSync(join(dataDir, "skills", SKILL, "evals", "triggers.json"), "utf8"));
      assert.deepEqual(triggersFile, [{ query: "Summarise this fruit report for me", should_trigger: true }]);

      // Run once per configuration, with live progress.
      await page.getByLabel("Runs per configuration").fill("1");
      await page.getByRole("button", { name: "Run evals" }).click();
      const progress = page.getByRole("status").filter({ hasText: /of 3 runs done/ });
      await progress.waitFor();
      // The run belongs to the app: leaving the tab and coming back still shows its progress.
      await page.getByRole("tab", { name: "Files" }).click();
      await page.getByRole("tab", { name: "Evals" }).click();
      await progress.waitFor();
      assert.equal(await page.getByRole("button", { name: "Running…" }).isDisabled(), true);
      assert.equal(await page.getByLabel("Runs per configuration").inputValue(), "1", "the run's choices are kept");
      await progress.waitFor({ state: "detached", timeout: 120_000 });

      // The matrix: with skill and without, each expectation's verdict and evidence.
      const matrix = page.getByRole("table", { name: "Eval results" });
      const row = matrix.locator('tr[data-eval="1"]');
      await row.locator('td[data-config="with_skill"]').getByText("100%").waitFor();
      await row.locator('td[data-config="without_skill"]').getByText("100%").waitFor();
      await page.getByText("Expectations of eval 1").click();
      const withSkill = page.getByRole("group", { name: "With skill" });
      await withSkill.getByText("Run 1: 2/2 passed").waitFor();
      await withSkill.getByText("contains: Mock response").waitFor();
      assert.equal(await withSkill.locator(".badge-pass").count(), 2);
      assert.ok((await withSkill.locator(".evidence").count()) >= 1, "evidence is shown");
      await page.getByRole("group", { name: "Without skill" }).getByText("Run 1: 2/2 passed").waitFor();

      // Trigger rates.
      const triggers = page.getByRole("table", { name: "Trigger results" });
      await triggers.getByText("Summarise this fruit report for me").waitFor();
      await triggers.getByText(/^[01]\/1 \((0|100)%\)$/).waitFor();
      assert.match(await page.getByTestId("should-trigger-rate").innerText(), /^(0|100)%/);

      // The chart: one version so far.
      const chart = page.getByRole("list", { name: "Runs across versions" });
      assert.equal(await chart.getByRole("listitem").count(), 1);
      const { body: runs1 } = await api(server, "list_eval_runs", { skillName: SKILL });
      assert.equal(runs1.length, 1);
      await screenshot(page, "evals-first-run");

      // A second version asks for what the mock never says: against the first, a regression.
      // (With one run per configuration the noise is 1.0: only 100% → 0% counts.)
      await ev.getByLabel("Expectation 1 of eval 1", { exact: true }).fill("contains: BANANA");
      await ev.getByLabel("Expectation 2 of eval 1", { exact: true }).fill("regex: ^BANANA$");
      await save.click();
      await page.getByRole("status").filter({ hasText: /Evals saved/ }).waitFor();
      await page.getByRole("button", { name: "Run evals" }).click();
      await page.getByRole("status").filter({ hasText: /of 3 runs done/ }).waitFor();
      await page.getByRole("alert").filter({ hasText: /1 regression against version [0-9a-f]{8}/ }).waitFor({ timeout: 120_000 });
      await page.getByRole("alert").getByText("Eval 1: 100% → 0%").waitFor();
      await row.locator('td[data-config="with_skill"]').getByText("0%", { exact: true }).waitFor();
      await row.getByText("Regression").waitFor();
      const groups = chart.getByRole("listitem");
      await page.waitForFunction(() => document.querySelectorAll(".version-group").length === 2);
      assert.equal(await groups.nth(1).getByText("1 regression").count(), 1, "the newest version is marked");
      assert.equal(await groups.nth(0).locator(".badge-regression").count(), 0);

      // The first run can be chosen again, from the chart.
      await groups.nth(0).getByRole("button", { name: /Show the run of/ }).click();
      await row.locator('td[data-config="with_skill"]').getByText("100%").waitFor();
      assert.equal(await page.getByRole("alert").filter({ hasText: /regression against/ }).count(), 0);

      // A phone: nothing scrolls sideways.
      await page.setViewportSize({ width: 390, height: 900 });
      await page.getByText("Expectations of eval 1").click();
      assert.ok((await sidewaysScroll(page)) <= 0, "the Evals tab fits 390 px");
      await screenshot(page, "evals-390");
    },
    {
      prepare: (dataDir) => {
        cli(dataDir, ["build", SKILL, "--description", "Summarises fruit reports. Use for fruit reports."]);
        // Start from no evals whatever the build's generate step wrote.
        rmSync(join(dataDir, "skills", SKILL, "evals"), { recursive: true, force: true });
      },
      env: { SKILL_BUILDER_MOCK_DELAY_MS: "700" },
    },
  );
});
