// Per-run details on the Usage page (issue 16): a workflow session's agent runs, one run's
// tokens, cost, turns and timings, and its transcript (found in the skill's logs folder) as a
// readable list of messages; the same from the recent agent runs. The skill is built
// beforehand with the CLI (mock agents, which report tokens and turns).

import { test } from "node:test";
import assert from "node:assert/strict";
import { withApp, api, cli, screenshot } from "./helpers.mjs";

test("usage shows each run's tokens, cost, turns and transcript", { timeout: 120_000 }, async () => {
  await withApp(
    "usage-details",
    async ({ page, server }) => {
      const { body: runs } = await api(server, "get_recent_runs", { limit: 10 });
      const generate = runs.find((r) => r.skill_name === "usage-skill" && r.step_id === 3);
      assert.ok(generate, "the build recorded its Generate Skill run");

      await page.getByRole("link", { name: "Usage & cost" }).click();
      const sessions = page.getByRole("table", { name: "Recent workflow sessions" });
      await sessions.waitFor();
      await sessions.getByRole("button", { name: /^Runs of the usage-skill session/ }).first().click();
      const sessionRuns = page.getByRole("table", { name: "Agent runs of the session" });
      await sessionRuns.getByRole("cell", { name: "Generate Skill", exact: true }).waitFor();
      assert.ok((await sessionRuns.getByRole("button", { name: /^Details of the/ }).count()) >= 1);

      await sessionRuns.getByRole("button", { name: /^Details of the Generate Skill run of usage-skill/ }).click();
      const details = page.getByRole("group", { name: `Run ${generate.agent_id}` });
      await details.getByText(generate.input_tokens.toLocaleString("en-US"), { exact: true }).waitFor();
      const stat = async (label) => (await details.locator("div", { has: page.getByText(label, { exact: true }) }).locator("dd").first().textContent()).trim();
      assert.equal(await stat("Turns"), String(generate.num_turns));
      assert.equal(await stat("Output tokens"), generate.output_tokens.toLocaleString("en-US"));
      assert.equal(await stat("Tool uses"), String(generate.tool_use_count));
      assert.match(await stat("Cost"), /^\$\d/);

      await details.getByRole("button", { name: "Show transcript" }).click();
      const transcript = details.getByRole("list", { name: `Transcript of ${generate.agent_id}` });
      await transcript.getByText(/^Agent started/).waitFor();
      await transcript.getByText(/^Finished$/).waitFor();
      assert.ok((await transcript.getByText("Assistant", { exact: true }).count()) >= 1, "assistant messages are listed");
      assert.ok((await transcript.getByText(/^Tool: (Write|Read)/).count()) >= 1, "tool calls are listed");
      await details.getByText(/logs\/step3-.*\.jsonl$/).waitFor();
      await screenshot(page, "usage-run-transcript");

      // The same details from the recent agent runs.
      const recent = page.getByRole("table", { name: "Recent agent runs" });
      await recent.getByRole("button", { name: /^Details of the Research run of usage-skill/ }).click();
      await recent.getByRole("group", { name: /^Run usage-skill-step0-/ }).getByRole("button", { name: "Show transcript" }).click();
      await recent.getByRole("list", { name: /^Transcript of usage-skill-step0-/ }).getByText(/^Finished$/).waitFor();
    },
    { prepare: (dataDir) => cli(dataDir, ["build", "usage-skill", "--description", "A skill whose usage is inspected. Use in tests."]) },
  );
});
