// Result and payload shapes of the backend (snake_case keys, as commands.md › Types lists them).

export interface AppSettings {
  anthropic_api_key: string | null;
  workspace_path: string | null;
  skills_path: string | null;
  preferred_model: string | null;
  debug_mode: boolean;
  log_level: string;
  extended_context: boolean;
  extended_thinking: boolean;
  industry: string | null;
  function_role: string | null;
  max_dimensions: number;
  mock_agents?: boolean;
  github_user_login?: string | null;
  /** Sync the installs into agents after a build, refine, restore or import. */
  auto_sync_installs?: boolean;
  marketplace_registries?: MarketplaceRegistry[];
  [key: string]: unknown;
}

export interface SkillSummary {
  name: string;
  current_step: string | null;
  status: string | null;
  last_modified: string | null;
  tags: string[];
  purpose: string | null;
  display_name: string | null;
  source: string | null;
  skill_source: string | null;
  description: string | null;
  version: string | null;
  model: string | null;
}

export interface WorkflowRunRow {
  skill_name: string;
  current_step: number;
  status: string;
  purpose: string;
  description: string | null;
}

export interface WorkflowStepRow {
  skill_name: string;
  step_id: number;
  status: string;
  started_at: string | null;
  completed_at: string | null;
}

export interface WorkflowState {
  run: WorkflowRunRow | null;
  steps: WorkflowStepRow[];
}

export interface SkillFileEntry {
  name: string;
  relative_path: string;
  absolute_path: string;
  is_directory: boolean;
  is_readonly: boolean;
  size_bytes: number;
}

export interface SkillCommit {
  sha: string;
  message: string;
  timestamp: string;
}

export interface FileDiff {
  path: string;
  status: "added" | "modified" | "deleted" | string;
  old_content: string | null;
  new_content: string | null;
}

export interface RefineSessionInfo {
  session_id: string;
  skill_name: string;
  created_at: string;
}

export interface RefineDiff {
  stat: string;
  files: { path: string; status: string; diff: string }[];
}

export interface WorkspaceSkill {
  skill_id: string;
  skill_name: string;
  description: string | null;
  is_active: boolean;
  is_bundled: boolean;
  disk_path: string;
  imported_at: string;
  purpose: string | null;
  version: string | null;
  marketplace_source_url: string | null;
  /** Lint findings of an upload (empty elsewhere). */
  warnings?: string[];
}

export interface GitHubRepoInfo {
  owner: string;
  repo: string;
  branch: string;
  subpath: string | null;
}

export interface AvailableSkill {
  path: string;
  name: string;
  plugin_name: string | null;
  description: string | null;
  purpose: string | null;
  version: string | null;
  model: string | null;
}

export interface SkillMetadataOverride {
  name?: string | null;
  description?: string | null;
  purpose?: string | null;
  version?: string | null;
  model?: string | null;
}

export interface MarketplaceImportResult {
  skill_name: string;
  success: boolean;
  error: string | null;
}

export interface UsageSummary {
  total_cost: number;
  total_runs: number;
  avg_cost_per_run: number;
}

export interface UsageByStep {
  step_id: number;
  step_name: string;
  total_cost: number;
  run_count: number;
}

export interface UsageByModel {
  model: string;
  total_cost: number;
  run_count: number;
}

export interface UsageByDay {
  date: string;
  total_cost: number;
  run_count: number;
}

export interface WorkflowSessionRecord {
  session_id: string;
  skill_name: string;
  steps_csv: string;
  agent_count: number;
  total_cost: number;
  total_input_tokens: number;
  total_output_tokens: number;
  total_duration_ms: number;
  started_at: string;
  completed_at: string | null;
}

// ---- clarifications.json (written by step 0, refined by step 1) ----

export interface Choice {
  id: string;
  text: string;
  is_other?: boolean;
}

export interface Question {
  id: string;
  title?: string;
  text: string;
  must_answer?: boolean;
  choices?: Choice[];
  recommendation?: string | null;
  answer_choice?: string | null;
  answer_text?: string | null;
  refinements?: Question[];
  [key: string]: unknown;
}

export interface Section {
  id: string;
  title: string;
  description?: string;
  questions: Question[];
  [key: string]: unknown;
}

export interface Clarifications {
  version?: string;
  metadata?: { title?: string; scope_recommendation?: boolean; [key: string]: unknown };
  sections: Section[];
  [key: string]: unknown;
}

// ---- answer-evaluation.json (written by the answer evaluator at a question gate) ----

export type QuestionVerdict = "clear" | "needs_refinement" | "not_answered" | "vague" | "contradictory";

export interface AnswerEvaluation {
  verdict: "sufficient" | "mixed" | "insufficient";
  answered_count?: number;
  empty_count?: number;
  vague_count?: number;
  contradictory_count?: number;
  total_count?: number;
  reasoning?: string;
  /** `contradicts` is one id in the agent's prompt and may be a list in other writers. */
  per_question: { question_id: string; verdict: QuestionVerdict; contradicts?: string | string[] }[];
}

// ---- events ----

export interface AgentMessageEvent {
  agent_id: string;
  message: any;
}

export interface AgentExitEvent {
  agent_id: string;
  success: boolean;
}

export interface AgentInitErrorEvent {
  error_type: string;
  message: string;
  fix_hint: string;
}

export const STEP_NAMES = ["Research", "Detailed Research", "Confirm Decisions", "Generate Skill"];

export const PURPOSES: { value: string; label: string }[] = [
  { value: "domain", label: "Domain knowledge" },
  { value: "platform", label: "Platform / tool" },
  { value: "source", label: "Source system" },
  { value: "data-engineering", label: "Data engineering" },
];

export const MODELS: { value: string; label: string }[] = [
  { value: "", label: "Default (sonnet)" },
  { value: "sonnet", label: "Sonnet" },
  { value: "haiku", label: "Haiku" },
  { value: "opus", label: "Opus" },
];

export const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Why a skill name is not acceptable, or null when it is. */
export function kebabProblem(name: string): string | null {
  if (!name) return "Enter a name.";
  if (/[A-Z]/.test(name)) return "Use lower-case letters only.";
  if (/\s/.test(name)) return "Use hyphens instead of spaces.";
  if (/[^a-z0-9-]/.test(name)) return "Only a–z, 0–9 and hyphens are allowed.";
  if (name.startsWith("-") || name.endsWith("-")) return "The name cannot start or end with a hyphen.";
  if (name.includes("--")) return "Use single hyphens between words.";
  if (name.length > 64) return "Keep the name at most 64 characters.";
  return KEBAB.test(name) ? null : "Use kebab-case, e.g. sales-pipeline.";
}

// ---- skill actions (package, lint, details) ----

/** `list_skills` row with the fields it sends in camelCase (frontmatter extras). */
export interface SkillDetails extends SkillSummary {
  argumentHint?: string | null;
  userInvocable?: boolean | null;
  disableModelInvocation?: boolean | null;
  state_label?: string;
}

export interface PackageResult {
  file_path: string;
  size_bytes: number;
  /** Symbolic links left out of the package. */
  skipped?: string[];
}

export interface LintFinding {
  severity: "error" | "warning";
  /** Stable code: `unknown_keys`, `broken_link`, `missing_description`, … */
  code: string;
  field: string | null;
  message: string;
}

export interface LintResult {
  path: string;
  mode: "spec" | "claude_code";
  findings: LintFinding[];
  ok: boolean;
  claude_code_only: boolean;
  /** Present when `fix: true` was asked. */
  fix?: { moved: string[]; bom_removed: boolean; changed: boolean; commit: string | null };
}

export interface FieldSuggestions {
  description: string;
  domain: string;
  audience: string;
  challenges: string;
  scope: string;
  unique_setup: string;
  claude_mistakes: string;
  context_questions: string;
}

// ---- installs into agents (issue 17) ----

export type InstallState = "current" | "outdated" | "changed_by_hand" | "missing";

export interface AgentInstall {
  skill_name: string;
  agent: string;
  scope: "user" | "project" | "dir";
  path: string;
  version: string | null;
  content_hash: string;
  installed_at: string;
  state: InstallState;
  in_library: boolean;
}

export interface InstallResult extends AgentInstall {
  backup: string | null;
}

export interface UninstallResult {
  skill_name: string;
  agent: string;
  scope: string;
  path: string;
  backup: string | null;
}

export type SyncOutcome = "updated" | "up_to_date" | "changed_by_hand" | "replaced" | "missing" | "reinstalled" | "not_in_library" | "failed";

export interface SyncResult {
  skill_name: string;
  agent: string;
  scope: string;
  path: string;
  outcome: SyncOutcome;
  backup: string | null;
  message: string | null;
}

/** The agents `install_to_agent` knows, with the folders it writes to (`~` = home). */
export const KNOWN_AGENTS: { value: string; label: string; user: string; project: string }[] = [
  { value: "claude-code", label: "Claude Code", user: "~/.claude/skills", project: ".claude/skills" },
  { value: "codex", label: "Codex", user: "~/.agents/skills", project: ".agents/skills" },
  { value: "copilot", label: "GitHub Copilot", user: "~/.copilot/skills", project: ".github/skills" },
];

// ---- workspace skills, registries, GitHub sign-in ----

/** Purpose slots of workspace skills (one active skill each). */
export const WORKSPACE_PURPOSES: { value: string; label: string }[] = [
  { value: "research", label: "Research" },
  { value: "validate", label: "Validate" },
  { value: "skill-building", label: "Skill building" },
  { value: "test-context", label: "Test context" },
];

export interface MarketplaceRegistry {
  name: string;
  source_url: string;
  enabled: boolean;
}

export interface SkillUpdateInfo {
  name: string;
  path: string;
  version: string;
}

export interface MarketplaceUpdateResult {
  library: SkillUpdateInfo[];
  workspace: SkillUpdateInfo[];
  registry_name: string | null;
}

export interface DeviceFlowResponse {
  device_code: string;
  user_code: string;
  verification_uri: string;
  expires_in: number;
  interval: number;
}

export interface GitHubUser {
  login: string;
  avatar_url: string;
  email: string | null;
}

export type GitHubAuthResult =
  | { status: "pending" }
  | { status: "slow_down"; interval?: number }
  | { status: "expired" }
  | { status: "denied" }
  | { status: "success"; user: GitHubUser };

// ---- usage: one agent run ----

export interface AgentRunRecord {
  agent_id: string;
  skill_name: string;
  step_id: number;
  model: string;
  status: string;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  total_cost: number;
  duration_ms: number;
  num_turns: number;
  stop_reason: string | null;
  duration_api_ms: number | null;
  tool_use_count: number;
  compaction_count: number;
  session_id: string | null;
  started_at: string;
  completed_at: string | null;
}

// ---- evals (issue 15): skill-creator's evals.json / triggers.json and benchmark.json ----

/** One eval of `evals/evals.json`; fields the app does not know are kept as they are. */
export interface EvalCase {
  id: number | string;
  prompt: string;
  expected_output: string;
  files: string[];
  expectations: string[];
  [extra: string]: unknown;
}

export interface EvalsFile {
  skill_name: string;
  evals: EvalCase[];
  [extra: string]: unknown;
}

/** One entry of `evals/triggers.json`. */
export interface TriggerQuery {
  query: string;
  should_trigger: boolean;
  [extra: string]: unknown;
}

/** `get_evals`: `null` for a file the skill does not have. */
export interface EvalsContent {
  skill_name: string;
  evals: EvalsFile | null;
  triggers: TriggerQuery[] | null;
  evals_path: string;
  triggers_path: string;
}

export interface SaveEvalsResult {
  commit: string | null;
}

/** `eval-progress`: phase `started`, `running` (a run started), `finished` (one more done), `graded`. */
export interface EvalProgress {
  run_id: string;
  skill_name: string;
  phase: "started" | "running" | "finished" | "graded" | string;
  label: string;
  done: number;
  total: number;
}

export interface EvalStats {
  mean: number;
  stddev: number;
  min: number;
  max: number;
}

export interface GradedExpectation {
  text: string;
  passed: boolean;
  evidence: string;
}

export interface EvalRunRecord {
  eval_id: number | string;
  configuration: "with_skill" | "without_skill" | string;
  run_number: number;
  result: { pass_rate: number; passed: number; failed: number; total: number; time_seconds: number; tokens: number; tool_calls: number; errors: number };
  expectations: GradedExpectation[];
  notes: string[];
}

export interface EvalSummary {
  eval_id: number | string;
  prompt: string;
  runs: number;
  with_skill: EvalStats;
  without_skill: EvalStats;
  delta: number;
}

export interface TriggerResult {
  query: string;
  should_trigger: boolean;
  runs: number;
  triggered: number;
  trigger_rate: number;
}

export interface TriggerSummary {
  should_trigger_rate: number | null;
  should_not_trigger_rate: number | null;
  should_trigger_stddev: number;
  should_not_trigger_stddev: number;
  runs_per_query: number;
  queries: TriggerResult[];
}

export interface EvalRegression {
  /** `eval`, `should_trigger_rate` or `should_not_trigger_rate`. */
  kind: string;
  eval_id?: number | string;
  before: number;
  after: number;
  noise: number;
  before_version: string;
  after_version: string;
  before_run_id: string;
}

/** `run_evals` / `get_eval_run`: the benchmark (the parts the UI reads). */
export interface Benchmark {
  metadata: {
    skill_name: string;
    timestamp: string;
    runs_per_configuration: number;
    baseline: string;
    baseline_source: string;
    executor_model: string;
  };
  runs: EvalRunRecord[];
  run_id: string;
  skill_version: string;
  evals: EvalSummary[];
  triggers: TriggerSummary | null;
  regressions: EvalRegression[];
  cost: { total_usd: number; agent_runs: number };
}

/** `list_eval_runs`: newest first. */
export interface EvalRunSummary {
  id: string;
  skill_name: string;
  skill_version: string;
  baseline: string;
  created_at: string;
  benchmark_path: string;
  summary: {
    runs_per_configuration: number;
    with_skill_pass_rate: number | null;
    without_skill_pass_rate: number | null;
    should_trigger_rate: number | null;
    should_not_trigger_rate: number | null;
    regressions: number;
    cost_usd: number;
  };
}
