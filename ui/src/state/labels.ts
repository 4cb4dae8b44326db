// Words people read about a build, the same as the backend's `workflow::labels` (CLI `list`,
// `list_skills.state_label`): one-based step numbers with names; `step_id` stays 0–3 in the API.

import { STEP_NAMES } from "../api/types";

export const STEP_COUNT = STEP_NAMES.length;

/** "Step 1 (Research)"; `capital` false gives "step 1 (Research)". */
export function stepLabel(id: number, capital = true): string {
  const name = STEP_NAMES[id];
  const s = `${capital ? "Step" : "step"} ${id + 1}`;
  return name ? `${s} (${name})` : s;
}

/** "2/4 (Detailed Research)". */
export function ofFour(id: number): string {
  return `${id + 1}/${STEP_COUNT} (${STEP_NAMES[id] ?? "?"})`;
}

/**
 * A skill's state in a few words ("Needs your answers", "Running 2/4 (Detailed Research)",
 * "Built") from its run's status and current step and its steps' statuses.
 */
export function stateLabel(run: { status: string; current_step: number } | null, steps: { step_id: number; status: string }[]): string {
  if (!run) return "Ready";
  const last = STEP_COUNT - 1;
  const statusOf = (id: number) => steps.find((s) => s.step_id === id)?.status ?? "pending";
  if (run.status === "completed" || statusOf(last) === "completed") return "Built";
  const running = steps.find((s) => s.status === "in_progress" && s.step_id >= 0 && s.step_id <= last);
  if (running) return `Running ${ofFour(running.step_id)}`;
  const cur = Math.min(last, Math.max(0, run.current_step));
  if (statusOf(cur) === "error") return `Failed at ${ofFour(cur)}`;
  if (steps.some((s) => s.status === "waiting_for_user")) return "Needs your answers";
  if (cur === 0) return "Not started";
  if (cur === 1 || cur === 2) return "Needs your answers";
  return "Review decisions";
}

/** The badge colour of a state label. */
export function stateTone(label: string): string {
  if (label === "Built" || label === "Ready") return "completed";
  if (label.startsWith("Running")) return "in_progress";
  if (label.startsWith("Failed")) return "error";
  if (label === "Needs your answers" || label === "Review decisions") return "waiting";
  return "none";
}

/** A session's `steps_csv` ("0,1,2,3") as people read it ("1–4", "1, 3"); other ids by name. */
export function stepsText(csv: string | null | undefined): string {
  const ids = (csv ?? "")
    .split(",")
    .map((x) => Number(x.trim()))
    .filter((n) => Number.isInteger(n));
  const inWorkflow = ids.filter((n) => n >= 0 && n < STEP_COUNT).sort((a, b) => a - b);
  const others = ids.filter((n) => n < 0 || n >= STEP_COUNT).map((n) => (n === 10 ? "Refine" : n === 11 ? "Skill test" : n < 0 ? "Other" : `Step ${n + 1}`));
  const contiguous = inWorkflow.length > 2 && inWorkflow.every((n, i) => i === 0 || n === inWorkflow[i - 1] + 1);
  const steps = contiguous ? [`${inWorkflow[0] + 1}–${inWorkflow[inWorkflow.length - 1] + 1}`] : inWorkflow.map((n) => String(n + 1));
  return [...steps, ...Array.from(new Set(others))].join(", ") || "—";
}
