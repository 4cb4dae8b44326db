// (a) Create a skill in the UI and build it to the end with mock agents, answering both gates
// with the recommended answers (each checked by the answer evaluator); the final status and
// SKILL.md are visible.

import { test } from "node:test";
import assert from "node:assert/strict";
import { withApp, api, screenshot } from "./helpers.mjs";

test("create a skill and build it to the end through the UI", { timeout: 120_000 }, async () => {
  await withApp("build-skill", async ({ page, server }) => {
    await page.getByRole("heading", { name: "Skills library" }).waitFor();
    await page.getByText("No skills yet.").waitFor();
    await page.getByRole("button", { name: "Create skill" }).click();

    // Live kebab-case validation.
    const name = page.getByLabel("Skill name");
    await name.fill("Sales Pipeline");
    await page.getByText("Use lower-case letters only.").waitFor();
    assert.equal(await name.getAttribute("aria-invalid"), "true");
    await name.fill("sales-pipeline");
    await page.getByText("Valid kebab-case name").waitFor();
    await page.getByLabel("Purpose").selectOption("platform");
    await page.getByLabel("Description").fill("Pipeline stages and forecasting rules of the sales team.");
    await page.getByLabel("Tags").fill("sales, CRM");
    await page.getByRole("button", { name: "Create and start building" }).click();

    // Step 1 runs by itself; its live stream shows text and tool calls, then the gate opens.
    await page.waitForURL(/\/skills\/sales-pipeline\/build/);
    const gate1 = page.getByRole("region", { name: "Clarification questions" });
    await gate1.waitFor({ timeout: 60_000 });
    const stream = page.getByRole("region", { name: /Agent output of step 1/ });
    await stream.getByText("Read", { exact: true }).first().waitFor();
    await stream.getByText(/^Finished/).waitFor();
    assert.ok((await gate1.locator("fieldset.question").count()) > 0, "the gate lists questions");

    await gate1.getByRole("button", { name: "Use recommended answers" }).click();
    await gate1.getByRole("status").filter({ hasText: /Filled \d+ unanswered|already has an answer/ }).waitFor();
    await gate1.getByRole("button", { name: "Continue to Detailed Research" }).click();
    // The answer evaluator runs first; with every answer given it finds them sufficient.
    const check1 = gate1.getByRole("region", { name: "Answer check" });
    await check1.waitFor({ timeout: 60_000 });
    assert.equal(await page.getByTestId("answer-verdict").innerText(), "sufficient");
    await check1.getByRole("button", { name: "Skip detailed research" }).waitFor();
    await check1.getByRole("button", { name: "Continue to Detailed Research" }).click();

    const gate2 = page.getByRole("region", { name: "Refinement questions" });
    await gate2.waitFor({ timeout: 60_000 });
    await gate2.getByRole("button", { name: "Use recommended answers" }).click();
    await gate2.getByRole("status").filter({ hasText: /Filled \d+ unanswered|already has an answer/ }).waitFor();
    await gate2.getByRole("button", { name: "Continue to Confirm Decisions" }).click();
    const check2 = gate2.getByRole("region", { name: "Answer check" });
    await check2.waitFor({ timeout: 60_000 });
    assert.equal(await check2.getByRole("button", { name: "Skip detailed research" }).count(), 0, "no skip after Detailed Research");
    await check2.getByRole("button", { name: "Continue to Confirm Decisions" }).click();

    await page.getByRole("heading", { name: "Review the decisions" }).waitFor({ timeout: 60_000 });
    await page.getByRole("button", { name: "Generate skill", exact: true }).click();

    await page.getByText("Skill built.").waitFor({ timeout: 60_000 });
    assert.match(await page.getByTestId("workflow-status").innerText(), /Built/);
    for (const step of ["Research", "Detailed Research", "Confirm Decisions", "Generate Skill"]) {
      await page.getByRole("button", { name: new RegExp(`^Step \\d: ${step} — completed`) }).waitFor();
    }

    await page.getByRole("link", { name: "Open the skill files" }).click();
    await page.getByRole("tab", { name: "Files", selected: true }).waitFor();
    await page.getByRole("list", { name: "Skill files" }).getByRole("button", { name: /^SKILL\.md/ }).waitFor();
    const content = page.getByRole("region", { name: "Content of SKILL.md" });
    // SKILL.md is rendered: its frontmatter as a key/value card, the raw text one click away.
    const front = content.getByRole("definition").filter({ hasText: /^sales-pipeline$/ });
    await front.waitFor();
    await content.getByRole("button", { name: "Show raw" }).click();
    await content.getByText("name: sales-pipeline").waitFor();
    assert.match(await page.getByTestId("skill-status").innerText(), /Built/);

    // Skill test: one prompt, with and without the skill, side by side.
    await page.getByRole("tab", { name: "Test" }).click();
    await page.getByLabel("Test prompt").fill("Plan the models for the weekly pipeline review");
    await page.getByRole("button", { name: "Run test" }).click();
    const result = page.locator("article.test-result").first();
    await result.getByRole("heading", { name: /Plan the models for the weekly pipeline review/ }).waitFor({ timeout: 60_000 });
    assert.ok((await result.getByRole("region", { name: "With the skill" }).innerText()).trim().length > 0);
    assert.ok((await result.getByRole("region", { name: "Without the skill" }).innerText()).trim().length > 0);
    await screenshot(page, "build-skill-test");

    // The run shows up in usage & cost (mock agents cost $0, so count runs).
    await page.getByRole("link", { name: "Usage & cost" }).click();
    const summary = page.getByRole("definition").filter({ hasText: /^\d+$/ });
    await summary.first().waitFor();
    assert.ok(Number(await summary.first().innerText()) >= 1, "one workflow session");
    await page.getByRole("radio", { name: "Agent runs" }).check();
    await page.getByRole("img", { name: "Runs by step" }).waitFor();
    await page.getByRole("img", { name: "Runs by model" }).waitFor();
    await screenshot(page, "build-skill-usage");
    await page.goBack();

    // The backend agrees.
    const { body: state } = await api(server, "get_workflow_state", { skillName: "sales-pipeline" });
    assert.equal(state.run.status, "completed");
    const { body: skills } = await api(server, "list_skills", { workspacePath: "" });
    assert.deepEqual(skills.find((s) => s.name === "sales-pipeline").tags.sort(), ["crm", "sales"]);
  });
});
