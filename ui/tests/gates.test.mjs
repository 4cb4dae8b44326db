// (g) The question gate runs the real answer evaluator (mock agents) and shows its verdict per
// question, offering to skip Detailed Research when the answers are sufficient; the decisions
// review lets the user edit contradictory decisions, change the answers and re-run Confirm
// Decisions without losing the research.

import { test } from "node:test";
import assert from "node:assert/strict";
import { withApp, api, screenshot } from "./helpers.mjs";

async function ok(server, name, args) {
  const r = await api(server, name, args);
  assert.equal(r.status, 200, `${name}: ${JSON.stringify(r.body)}`);
  return r.body;
}

async function paths(server, skill) {
  const s = await ok(server, "get_settings");
  return {
    skill: `${s.skills_path}/${skill}`,
    workspace: `${s.workspace_path}/${skill}`,
  };
}

async function readFile(server, filePath) {
  return ok(server, "read_file", { filePath });
}

/** Runs one step over HTTP and waits until the backend recorded it completed. */
async function runStep(server, skill, stepId) {
  await ok(server, "run_workflow_step", { skillName: skill, stepId });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const state = await ok(server, "get_workflow_state", { skillName: skill });
    const status = state.steps.find((s) => s.step_id === stepId)?.status;
    if (status === "completed") return;
    assert.notEqual(status, "error", `step ${stepId} failed`);
    assert.ok(Date.now() < deadline, `step ${stepId} did not finish`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Polls until the gate's decision is recorded (the UI logs it without waiting). */
async function gateResult(server, workspace, decision) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const r = await api(server, "read_file", { filePath: `${workspace}/gate-result.json` });
    const g = r.status === 200 ? JSON.parse(r.body) : null;
    if (g?.decision === decision || Date.now() > deadline) return g;
    await new Promise((res) => setTimeout(res, 100));
  }
}

async function transcriptsOf(server, skill, step) {
  const files = await ok(server, "list_skill_files", { workspacePath: "", skillName: skill });
  return files.map((f) => f.relative_path).filter((p) => p.startsWith(`logs/step${step}-`));
}

const CONTRADICTORY = `---
decision_count: 2
conflicts_resolved: 0
round: 1
contradictory_inputs: true
---
# Decisions

### D1: Primary use case
- **Decision**: Operational reporting only
- **Status**: needs-review

### D2: Source of truth
- **Decision**: Analytical modelling only
- **Status**: needs-review
`;

test("the question gate shows the evaluator's verdict per question and offers to skip Detailed Research", { timeout: 180_000 }, async () => {
  await withApp("gate-verdict", async ({ page, server }) => {
    await ok(server, "create_skill", { name: "invoice-matching", purpose: "domain", description: "Three-way invoice matching" });
    await page.goto(`${server.origin}/skills/invoice-matching/build?autostart=1`);
    const gate = page.getByRole("region", { name: "Clarification questions" });
    await gate.waitFor({ timeout: 60_000 });

    // The required questions answered, Q3 vaguely, the rest not: "partly sufficient".
    for (const q of ["Q1", "Q2"]) await gate.locator(`fieldset[data-question="${q}"]`).getByRole("radio").first().check();
    const q3 = gate.locator('fieldset[data-question="Q3"]');
    await q3.getByLabel("Other (please specify)").check();
    await q3.getByLabel("Your answer to Q3").fill("not sure");
    await gate.getByRole("button", { name: "Continue to Detailed Research" }).click();
    const check = gate.getByRole("region", { name: "Answer check" });
    await check.waitFor({ timeout: 60_000 });
    assert.equal(await page.getByTestId("answer-verdict").innerText(), "partly sufficient");
    const perQuestion = check.getByRole("list", { name: "Verdict per question" });
    assert.equal(await perQuestion.locator('li[data-question="Q1"]').getAttribute("data-verdict"), "clear");
    assert.equal(await perQuestion.locator('li[data-question="Q3"]').getAttribute("data-verdict"), "vague");
    assert.equal(await perQuestion.locator('li[data-question="Q4"]').getAttribute("data-verdict"), "not_answered");
    await perQuestion.locator('li[data-question="Q3"]').getByText("Vague").waitFor();
    await perQuestion.locator('li[data-question="Q4"]').getByText("Not answered").waitFor();
    await gate.locator('fieldset[data-question="Q4"] [data-verdict="not_answered"]').waitFor();
    assert.equal(await check.getByRole("button", { name: "Skip detailed research" }).count(), 0, "no skip while answers are missing");
    await check.getByRole("button", { name: "Continue anyway" }).waitFor();
    await screenshot(page, "gate-verdict-mixed");

    // The evaluator's verdict is what the gate records.
    const where = await paths(server, "invoice-matching");
    const evaluation = JSON.parse(await readFile(server, `${where.workspace}/answer-evaluation.json`));
    assert.equal(evaluation.verdict, "mixed");
    await check.getByRole("button", { name: "Change answers" }).click();
    await check.waitFor({ state: "detached" });
    let gate1 = await gateResult(server, where.workspace, "revise");
    assert.deepEqual([gate1?.verdict, gate1?.decision], ["mixed", "revise"]);

    // All answered clearly: sufficient, and Detailed Research can be skipped.
    await q3.getByLabel("Transaction line").check();
    await gate.getByRole("button", { name: "Use recommended answers" }).click();
    await gate.getByRole("status").filter({ hasText: "Filled 2 unanswered questions" }).waitFor();
    await gate.getByRole("button", { name: "Continue to Detailed Research" }).click();
    await check.waitFor({ timeout: 60_000 });
    assert.equal(await page.getByTestId("answer-verdict").innerText(), "sufficient");
    const verdicts = await perQuestion.locator("li").evaluateAll((lis) => lis.map((li) => li.getAttribute("data-verdict")));
    assert.ok(verdicts.length >= 5 && verdicts.every((v) => v === "clear"), verdicts.join(","));
    await check.getByRole("button", { name: "Skip detailed research" }).click();

    await page.getByRole("heading", { name: "Review the decisions" }).waitFor({ timeout: 60_000 });
    await page.getByRole("button", { name: /^Step 2: Detailed Research — skipped/ }).waitFor();
    await page.getByRole("button", { name: /^Step 3: Confirm Decisions — completed/ }).waitFor();
    gate1 = await gateResult(server, where.workspace, "skip");
    assert.deepEqual([gate1?.verdict, gate1?.decision], ["sufficient", "skip"]);
    const clarifications = JSON.parse(await readFile(server, `${where.skill}/context/clarifications.json`));
    assert.equal(clarifications.metadata.refinement_count, 0, "Detailed Research did not run");
    assert.deepEqual(await transcriptsOf(server, "invoice-matching", 1), [], "no Detailed Research agent ran");
  });
});

test("contradictory decisions: edit them, or change the answers and re-run Confirm Decisions, keeping the research", { timeout: 240_000 }, async () => {
  await withApp("decisions-review", async ({ page, server }) => {
    const skill = "vendor-terms";
    await ok(server, "create_skill", { name: skill, purpose: "domain", description: "Vendor payment terms" });
    await runStep(server, skill, 0);
    await ok(server, "autofill_clarifications", { skillName: skill });
    await runStep(server, skill, 1);
    await ok(server, "autofill_refinements", { skillName: skill });
    await runStep(server, skill, 2);
    const where = await paths(server, skill);
    const plan = await readFile(server, `${where.skill}/context/research-plan.md`);
    // What Confirm Decisions writes when two answers cannot both hold.
    await ok(server, "write_file", { path: `${where.skill}/context/decisions.md`, content: CONTRADICTORY });

    await page.goto(`${server.origin}/skills/${skill}/build`);
    const review = page.getByRole("region", { name: "Decisions" });
    await review.getByRole("alert", { name: "Contradictory decisions" }).waitFor();
    assert.ok(await review.getByRole("button", { name: "Generate skill" }).isDisabled(), "Generate is blocked");
    await screenshot(page, "decisions-contradictory");

    // 1. Edit the decisions: saving marks them revised and unblocks Generate.
    await review.getByRole("button", { name: "Edit decisions" }).click();
    const editor = review.getByLabel("Edit decisions.md");
    await editor.fill((await editor.inputValue()).replace("Analytical modelling only", "Operational reporting; analytics later").replaceAll("needs-review", "resolved"));
    await review.getByRole("button", { name: "Save decisions" }).click();
    await review.getByRole("status").filter({ hasText: "marked as revised" }).waitFor();
    await review.getByRole("alert", { name: "Contradictory decisions" }).waitFor({ state: "detached" });
    await review.getByRole("button", { name: "Generate skill", disabled: false }).waitFor({ timeout: 10_000 });
    const saved = await readFile(server, `${where.skill}/context/decisions.md`);
    assert.match(saved, /^contradictory_inputs: revised$/m);
    assert.match(saved, /analytics later/);
    assert.deepEqual(await ok(server, "get_disabled_steps", { skillName: skill }), []);

    // 2. Contradictory again: change the answers and re-run Confirm Decisions.
    await ok(server, "write_file", { path: `${where.skill}/context/decisions.md`, content: CONTRADICTORY });
    await page.reload();
    await review.getByRole("alert", { name: "Contradictory decisions" }).waitFor();
    await review.getByRole("button", { name: "Change answers" }).click();
    const answers = page.getByRole("region", { name: "All answers" });
    await answers.locator('fieldset[data-question="R1.1"]').waitFor();
    await answers.locator('fieldset[data-question="Q2"]').getByLabel("A curated warehouse layer").check();
    await answers.getByRole("button", { name: "Re-run Confirm Decisions" }).click();
    const check = answers.getByRole("region", { name: "Answer check" });
    await check.waitFor({ timeout: 60_000 });
    await check.getByRole("button", { name: "Re-run Confirm Decisions" }).click();

    await review.getByRole("heading", { name: "Review the decisions" }).waitFor({ timeout: 60_000 });
    const decisions = review.getByLabel("decisions.md");
    await decisions.getByText(/A curated warehouse layer/).waitFor();
    assert.equal(await review.getByRole("alert", { name: "Contradictory decisions" }).count(), 0);
    assert.equal(await readFile(server, `${where.skill}/context/research-plan.md`), plan, "research kept");
    const clarifications = JSON.parse(await readFile(server, `${where.skill}/context/clarifications.json`));
    assert.ok(clarifications.metadata.refinement_count > 0, "refinements kept");
    const q2 = clarifications.sections.flatMap((s) => s.questions).find((q) => q.id === "Q2");
    assert.equal(q2.answer_choice, "C", "the changed answer was saved");
    for (const step of ["Research", "Detailed Research", "Confirm Decisions"]) {
      await page.getByRole("button", { name: new RegExp(`^Step \\d: ${step} — completed`) }).waitFor();
    }

    // 3. The plain "Re-run Confirm Decisions" action, then Generate.
    const runs = (await transcriptsOf(server, skill, 2)).length;
    await review.getByRole("button", { name: "Re-run Confirm Decisions" }).click();
    for (let i = 0; (await transcriptsOf(server, skill, 2)).length === runs; i++) {
      assert.ok(i < 300, "Confirm Decisions did not run again");
      await new Promise((r) => setTimeout(r, 100));
    }
    await review.getByRole("heading", { name: "Review the decisions" }).waitFor({ timeout: 60_000 });
    await review.getByLabel("decisions.md").getByText(/A curated warehouse layer/).waitFor();
    await review.getByRole("button", { name: "Generate skill" }).click();
    await page.getByText("Skill built.").waitFor({ timeout: 60_000 });
    assert.equal(await readFile(server, `${where.skill}/context/research-plan.md`), plan);
  });
});

test("a contradictory verdict must be answered before the gate continues", { timeout: 120_000 }, async () => {
  await withApp("gate-contradictory", async ({ page, server }) => {
    await ok(server, "create_skill", { name: "stock-counts", purpose: "domain", description: "Cycle counting rules" });
    await page.goto(`${server.origin}/skills/stock-counts/build?autostart=1`);
    const gate = page.getByRole("region", { name: "Clarification questions" });
    await gate.waitFor({ timeout: 60_000 });
    await gate.getByRole("button", { name: "Use recommended answers" }).click();
    await gate.getByRole("status").filter({ hasText: /Filled \d+ unanswered/ }).waitFor();

    // The evaluator really runs; what it found is replaced by a verdict the mock never gives.
    const found = {
      verdict: "mixed",
      reasoning: "Q1 and Q4 cannot both hold.",
      per_question: [
        { question_id: "Q1", verdict: "contradictory", contradicts: "Q4" },
        { question_id: "Q2", verdict: "clear" },
        { question_id: "Q3", verdict: "needs_refinement" },
        { question_id: "Q4", verdict: "contradictory", contradicts: "Q1" },
        { question_id: "Q5", verdict: "clear" },
      ],
    };
    await page.route("**/api/read_file", async (route) => {
      if (!route.request().postData()?.includes("answer-evaluation.json")) return route.continue();
      await route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(JSON.stringify(found)) });
    });
    await gate.getByRole("button", { name: "Continue to Detailed Research" }).click();
    const check = gate.getByRole("region", { name: "Answer check" });
    await check.waitFor({ timeout: 60_000 });
    const q1 = check.locator('li[data-question="Q1"]');
    assert.equal(await q1.getAttribute("data-verdict"), "contradictory");
    assert.match(await q1.innerText(), /Contradictory\s*\(contradicts Q4\)/);
    assert.equal(await check.locator('li[data-question="Q3"]').getAttribute("data-verdict"), "needs_refinement");
    await gate.locator('fieldset[data-question="Q4"] [data-verdict="contradictory"]').waitFor();
    await check.getByText(/Some answers contradict each other \(Q1, Q4\)/).waitFor();
    for (const name of ["Continue anyway", "Continue to Detailed Research", "Skip detailed research"]) {
      assert.equal(await check.getByRole("button", { name }).count(), 0, `${name} is not offered`);
    }
    await check.getByRole("button", { name: "Change answers" }).click();
    await gate.getByRole("button", { name: "Continue to Detailed Research" }).waitFor();
    // The verdict stays on the questions while they are changed.
    await gate.locator('fieldset[data-question="Q1"] [data-verdict="contradictory"]').waitFor();
  });
});
