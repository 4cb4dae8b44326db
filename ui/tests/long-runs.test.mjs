// Long agent work (issue 16): a running step shows its elapsed time and cost with a Stop button
// and a running indicator in the navigation; its output belongs to the app, so leaving the page
// and coming back (or reloading it) shows everything streamed so far; Stop ends the step and a
// skill test (both plans labelled). The mock agents are slowed down (SKILL_BUILDER_MOCK_DELAY_MS)
// so each run lasts long enough to be left, reloaded and stopped.

import { test } from "node:test";
import assert from "node:assert/strict";
import { withApp, api, cli, screenshot } from "./helpers.mjs";

const SLOW = { SKILL_BUILDER_MOCK_DELAY_MS: "700" };

/** The texts of the visible output lines of a stream region. */
async function lines(region) {
  return (await region.locator("li").allInnerTexts()).map((t) => t.trim()).filter((t) => t && t !== "working…");
}

async function waitRunning(server, want) {
  for (let i = 0; i < 200; i++) {
    const { body } = await api(server, "has_running_agents", {});
    if (body === want) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`has_running_agents never became ${want}`);
}

test("a running step keeps its output when the page is left, reloaded and opened again", { timeout: 180_000 }, async () => {
  await withApp(
    "long-run-return",
    async ({ page, server }) => {
      await page.goto(`${server.origin}/skills/slow-skill/build`);
      assert.equal(await page.title(), "Build slow-skill — Skill Builder");
      await page.getByRole("button", { name: "Start research" }).click();

      const stream = page.getByRole("region", { name: "Agent output of step 1" });
      const meter = page.getByRole("status", { name: "Agent output of step 1 status" });
      await meter.getByText(/^Running · \d+:\d\d/).waitFor();
      await meter.getByRole("button", { name: "Stop" }).waitFor();
      await page.getByTestId("workflow-status").getByText("Running 1/4 (Research)").waitFor();
      await stream.getByText("Read", { exact: true }).first().waitFor({ timeout: 30_000 });
      const before = await lines(stream);
      assert.ok(before.some((l) => l.startsWith("Agent started")), `the stream starts with the agent: ${before}`);

      // The navigation says an agent runs and links back to it; leave for another page.
      const nav = page.getByRole("navigation", { name: "Main" });
      const running = nav.getByRole("status", { name: "Running agents" });
      await running.getByText("1 agent running").waitFor();
      await page.getByRole("link", { name: "Usage & cost" }).click();
      await page.waitForURL(/\/usage$/);
      await running.getByRole("link", { name: "slow-skill: 1/4 (Research)" }).click();
      await page.waitForURL(/\/skills\/slow-skill\/build$/);

      // Back on the step: everything streamed so far is there, and it goes on.
      await meter.getByText(/^Running/).waitFor();
      const back = await lines(stream);
      assert.deepEqual(back.slice(0, before.length), before, "the output seen before leaving is shown again, in order");

      // A reload loses the app's memory: the transcript fills in what was streamed before it.
      const seen = await lines(stream);
      await page.reload();
      await stream.getByText(/^Agent started/).waitFor();
      await meter.getByText(/^Running/).waitFor();
      const replayed = await lines(stream);
      assert.deepEqual(replayed.slice(0, 2), seen.slice(0, 2), `replayed from the transcript: ${replayed}`);
      await screenshot(page, "long-run-replayed");

      // The step ends: the output says so, never "working…", and the gate opens.
      await stream.getByText(/^Finished/).waitFor({ timeout: 90_000 });
      await meter.getByText(/^Finished/).waitFor();
      assert.equal(await stream.getByText("working…").count(), 0, "a finished run is not working");
      await page.getByRole("region", { name: "Clarification questions" }).waitFor();
      const after = await lines(stream);
      assert.equal(new Set(after).size >= 3, true);
      assert.equal(after.filter((l) => l.startsWith("Agent started")).length, 1, `no line twice after the replay: ${after}`);
      await nav.getByRole("status", { name: "Running agents" }).waitFor({ state: "detached" });
    },
    { env: SLOW, prepare: (dataDir) => cli(dataDir, ["create", "slow-skill", "--purpose", "domain"]) },
  );
});

test("Stop ends a running step and a running skill test", { timeout: 240_000 }, async () => {
  await withApp(
    "long-run-stop",
    async ({ page, server }) => {
      // A workflow step.
      await page.goto(`${server.origin}/skills/stop-skill/build`);
      await page.getByRole("button", { name: "Start research" }).click();
      const stream = page.getByRole("region", { name: "Agent output of step 1" });
      const meter = page.getByRole("status", { name: "Agent output of step 1 status" });
      await stream.getByText(/^Agent started/).waitFor({ timeout: 30_000 });
      await waitRunning(server, true);
      await meter.getByRole("button", { name: "Stop" }).click();

      await meter.getByText(/^Stopped after \d+:\d\d/).waitFor({ timeout: 30_000 });
      await page.getByRole("heading", { name: "Step 1 (Research) was stopped" }).waitFor();
      await page.getByRole("button", { name: /^Step 1: Research — stopped/ }).waitFor();
      await page.getByRole("button", { name: "Run step 1" }).waitFor();
      assert.equal(await stream.getByText("working…").count(), 0, "a stopped run is not working");
      assert.equal(await page.getByRole("alert").count(), 0, "stopping is not an error");
      await waitRunning(server, false);
      const { body: state } = await api(server, "get_workflow_state", { skillName: "stop-skill" });
      assert.notEqual(state.steps.find((s) => s.step_id === 0)?.status, "completed");
      await screenshot(page, "long-run-stopped");

      // A skill test of a built skill: both plans live and labelled, one Stop for the test.
      await page.goto(`${server.origin}/skills/built-skill?tab=test`);
      await page.getByLabel("Test prompt").fill("Plan the weekly pipeline review");
      await page.getByRole("button", { name: "Run test" }).click();
      const live = page.getByRole("region", { name: "Test in progress" });
      await live.getByRole("heading", { name: "With the skill" }).waitFor({ timeout: 30_000 });
      await live.getByRole("heading", { name: "Without the skill" }).waitFor({ timeout: 30_000 });
      await live.getByRole("region", { name: "Live output with the skill" }).getByText(/^Agent started/).waitFor();
      await live.getByRole("region", { name: "Live output without the skill" }).getByText(/^Agent started/).waitFor();
      await live.getByRole("status", { name: "Live output with the skill status" }).getByRole("button", { name: "Stop" }).click();
      await page.getByRole("status").filter({ hasText: "Test stopped." }).waitFor({ timeout: 30_000 });
      await live.getByRole("status", { name: "Live output with the skill status" }).getByText(/^Stopped/).waitFor();
      assert.equal(await live.getByText("working…").count(), 0);
      await waitRunning(server, false);
      await page.getByRole("button", { name: "Run test" }).waitFor();
      await screenshot(page, "long-run-test-stopped");
    },
    {
      env: SLOW,
      prepare: (dataDir) => {
        cli(dataDir, ["create", "stop-skill", "--purpose", "domain"]);
        // Built quickly (the CLI is not slowed down), then tested slowly by the server.
        cli(dataDir, ["build", "built-skill", "--description", "A built skill to test"]);
      },
    },
  );
});

test("Stop ends a refine reply", { timeout: 120_000 }, async () => {
  await withApp(
    "long-run-refine",
    async ({ page, server }) => {
      await page.goto(`${server.origin}/skills/refine-skill?tab=refine`);
      await page.getByRole("button", { name: "Start refine session" }).click();
      await page.getByLabel("Message to the refine agent").fill("Add an example for fiscal calendars");
      await page.getByRole("button", { name: "Send" }).click();
      const reply = page.getByRole("region", { name: "Agent reply 1" });
      const meter = page.getByRole("status", { name: "Agent reply 1 status" });
      await meter.getByText(/^Running/).waitFor({ timeout: 30_000 });
      await reply.getByText(/^Agent started/).waitFor({ timeout: 30_000 });
      await meter.getByRole("button", { name: "Stop" }).click();
      await meter.getByText(/^Stopped/).waitFor({ timeout: 30_000 });
      assert.equal(await reply.getByText("working…").count(), 0);
      await waitRunning(server, false);
      await page.getByLabel("Message to the refine agent").fill("Try again");
      // The user can write again after Stop (the button enables once the stopped run settles).
      await page.getByRole("button", { name: "Send", disabled: false }).waitFor({ timeout: 10_000 });
      await screenshot(page, "long-run-refine-stopped");
    },
    { env: SLOW, prepare: (dataDir) => cli(dataDir, ["build", "refine-skill", "--description", "A built skill to refine"]) },
  );
});
