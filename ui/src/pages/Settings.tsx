// Settings: API key (masked, testable), folders, model, GitHub app and sign-in, installs into
// agents, log level, mock agents. Saves only the keys that changed (save_settings merges them
// into the stored settings).

import { useEffect, useState, type FormEvent } from "react";
import { ApiError, invoke, transportName } from "../api/transport";
import { forgetSettings, getSettings, useAsync } from "../api/hooks";
import { MODELS, type AppSettings } from "../api/types";
import { ErrorBox, Notice, Spinner } from "../components/ErrorBox";
import { GitHubSignIn } from "../components/GitHubSignIn";

interface Form {
  anthropic_api_key: string;
  skills_path: string;
  workspace_path: string;
  preferred_model: string;
  log_level: string;
  mock_agents: boolean;
  extended_thinking: boolean;
  industry: string;
  function_role: string;
  github_oauth_client_id: string;
  feedback_repository: string;
  auto_sync_installs: boolean;
}

const text = (v: unknown): string => (typeof v === "string" ? v : "");

function toForm(s: AppSettings): Form {
  return {
    anthropic_api_key: s.anthropic_api_key ?? "",
    skills_path: s.skills_path ?? "",
    workspace_path: s.workspace_path ?? "",
    preferred_model: s.preferred_model ?? "",
    log_level: (s.log_level || "info").toLowerCase(),
    mock_agents: !!s.mock_agents,
    extended_thinking: !!s.extended_thinking,
    industry: s.industry ?? "",
    function_role: s.function_role ?? "",
    github_oauth_client_id: text(s.github_oauth_client_id),
    feedback_repository: text(s.feedback_repository),
    auto_sync_installs: !!s.auto_sync_installs,
  };
}

const NULLABLE: (keyof Form)[] = ["anthropic_api_key", "preferred_model", "industry", "function_role", "github_oauth_client_id", "feedback_repository"];

/** The changed keys only, with empty optional strings sent as null. */
function changes(before: Form, after: Form): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(after) as (keyof Form)[]) {
    if (after[k] === before[k]) continue;
    const v = after[k];
    out[k] = typeof v === "string" && NULLABLE.includes(k) && v.trim() === "" ? null : typeof v === "string" ? v.trim() : v;
  }
  return out;
}

async function loadAll() {
  const settings = await getSettings();
  const [dataDir, logFile] = await Promise.all([
    invoke<string>("get_data_dir").catch(() => ""),
    invoke<string>("get_log_file_path").catch(() => ""),
  ]);
  return { settings, dataDir, logFile };
}

export function SettingsPage() {
  const { data, error, reload } = useAsync(loadAll, []);
  const [form, setForm] = useState<Form | null>(null);
  const [showKey, setShowKey] = useState(false);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [keyState, setKeyState] = useState<{ busy?: boolean; ok?: boolean; error?: unknown }>({});
  const [invalidField, setInvalidField] = useState<keyof Form | null>(null);

  useEffect(() => {
    if (data) setForm(toForm(data.settings));
  }, [data]);

  if (error) return <div className="page"><h1>Settings</h1><ErrorBox error={error} onRetry={reload} /></div>;
  if (!data || !form) return <div className="page"><h1>Settings</h1><Spinner label="Loading settings…" /></div>;

  const initial = toForm(data.settings);
  const diff = changes(initial, form);
  const dirty = Object.keys(diff).length > 0;
  const set = <K extends keyof Form>(k: K, v: Form[K]) => {
    setForm({ ...form, [k]: v });
    setNotice(null);
    if (invalidField === k) setInvalidField(null);
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setSaveError(null);
    setNotice(null);
    if (!form.skills_path.trim()) {
      setInvalidField("skills_path");
      setSaveError(new ApiError("invalid_input", "The skills folder cannot be empty.", 0));
      return;
    }
    if (!form.workspace_path.trim()) {
      setInvalidField("workspace_path");
      setSaveError(new ApiError("invalid_input", "The workspace folder cannot be empty.", 0));
      return;
    }
    setSaving(true);
    try {
      await invoke("save_settings", { settings: diff });
      if ("log_level" in diff) await invoke("set_log_level", { level: form.log_level });
      forgetSettings();
      setNotice(`Settings saved (${Object.keys(diff).map((k) => k.replace(/_/g, " ")).join(", ")}).`);
      reload();
    } catch (err) {
      if (err instanceof ApiError && err.kind === "invalid_input" && /feedback_repository/.test(err.message)) setInvalidField("feedback_repository");
      else if (err instanceof ApiError && err.kind === "invalid_input" && /skills|director|move/i.test(err.message)) setInvalidField("skills_path");
      setSaveError(err);
    } finally {
      setSaving(false);
    }
  };

  const testKey = async () => {
    setKeyState({ busy: true });
    try {
      const ok = await invoke<boolean>("test_api_key", { apiKey: form.anthropic_api_key });
      setKeyState({ ok });
    } catch (err) {
      setKeyState({ error: err });
    }
  };

  return (
    <div className="page narrow">
      <h1>Settings</h1>
      <form className="form" onSubmit={save}>
        <fieldset>
          <legend>Anthropic API</legend>
          <div className="field">
            <label htmlFor="api-key">Anthropic API key</label>
            <div className="row gap-s">
              <input
                id="api-key"
                className="grow"
                type={showKey ? "text" : "password"}
                autoComplete="off"
                spellCheck={false}
                value={form.anthropic_api_key}
                onChange={(e) => {
                  set("anthropic_api_key", e.target.value);
                  setKeyState({});
                }}
                placeholder="sk-ant-…"
              />
              <button type="button" className="btn btn-small" aria-pressed={showKey} onClick={() => setShowKey(!showKey)}>
                {showKey ? "Hide key" : "Show key"}
              </button>
              <button type="button" className="btn btn-small" disabled={!form.anthropic_api_key || keyState.busy} onClick={testKey}>
                {keyState.busy ? "Testing…" : "Test key"}
              </button>
            </div>
            <p className="help">Stored in the OS keychain where available; never written to logs.</p>
            {keyState.ok === true && <Notice>The key works.</Notice>}
            {keyState.ok === false && <ErrorBox error={new ApiError("invalid_input", "The key was refused.", 0)} />}
            <ErrorBox error={keyState.error} />
          </div>
          <div className="field">
            <label htmlFor="preferred-model">Preferred model</label>
            <select id="preferred-model" value={form.preferred_model} onChange={(e) => set("preferred_model", e.target.value)}>
              {MODELS.map((m) => (
                <option key={m.value} value={m.value}>
                  {m.label}
                </option>
              ))}
              {form.preferred_model && !MODELS.some((m) => m.value === form.preferred_model) && <option value={form.preferred_model}>{form.preferred_model}</option>}
            </select>
          </div>
          <label className="inline">
            <input type="checkbox" checked={form.extended_thinking} onChange={(e) => set("extended_thinking", e.target.checked)} /> Extended thinking
          </label>
          <label className="inline">
            <input type="checkbox" checked={form.mock_agents} onChange={(e) => set("mock_agents", e.target.checked)} /> Mock agents (offline, no API key needed)
          </label>
        </fieldset>

        <fieldset>
          <legend>Folders</legend>
          <div className="field">
            <label htmlFor="skills-path">Skills folder</label>
            <input id="skills-path" value={form.skills_path} aria-invalid={invalidField === "skills_path" || undefined} onChange={(e) => set("skills_path", e.target.value)} />
            <p className="help">Finished skills, versioned with git. Changing it moves the skills (the new folder must be empty).</p>
          </div>
          <div className="field">
            <label htmlFor="workspace-path">Workspace folder</label>
            <input id="workspace-path" value={form.workspace_path} aria-invalid={invalidField === "workspace_path" || undefined} onChange={(e) => set("workspace_path", e.target.value)} />
            <p className="help">Scratch space of the agents and the workspace skills.</p>
          </div>
        </fieldset>

        <fieldset>
          <legend>About you</legend>
          <div className="field">
            <label htmlFor="industry">Industry</label>
            <input id="industry" value={form.industry} onChange={(e) => set("industry", e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="function-role">Function / role</label>
            <input id="function-role" value={form.function_role} onChange={(e) => set("function_role", e.target.value)} />
          </div>
        </fieldset>

        <fieldset>
          <legend>GitHub</legend>
          <div className="field">
            <label htmlFor="github-client-id">OAuth App client id</label>
            <input
              id="github-client-id"
              spellCheck={false}
              autoComplete="off"
              value={form.github_oauth_client_id}
              onChange={(e) => set("github_oauth_client_id", e.target.value)}
              placeholder="Ov23li…"
            />
            <p className="help">Sign in with GitHub needs the client id of a GitHub OAuth App with device flow enabled. SKILL_BUILDER_GITHUB_CLIENT_ID overrides it.</p>
          </div>
          <div className="field">
            <label htmlFor="feedback-repository">Feedback repository</label>
            <input
              id="feedback-repository"
              spellCheck={false}
              value={form.feedback_repository}
              aria-invalid={invalidField === "feedback_repository" || undefined}
              onChange={(e) => set("feedback_repository", e.target.value)}
              placeholder="owner/repo"
            />
            <p className="help">Where feedback is filed as GitHub issues. SKILL_BUILDER_FEEDBACK_REPO overrides it.</p>
          </div>
          <div className="field" aria-label="GitHub sign-in" role="group">
            <span className="strong">Sign-in</span>
            {initial.github_oauth_client_id !== form.github_oauth_client_id && (
              <p className="help">Save the client id first: sign-in uses the saved one.</p>
            )}
            <GitHubSignIn />
          </div>
        </fieldset>

        <fieldset>
          <legend>Installs into agents</legend>
          <label className="inline">
            <input type="checkbox" checked={form.auto_sync_installs} onChange={(e) => set("auto_sync_installs", e.target.checked)} aria-describedby="auto-sync-help" /> Auto-sync
            installs
          </label>
          <p id="auto-sync-help" className="help">
            After a build, refine, restore or import, bring the skill's copies in Claude Code, Codex, Copilot or other folders to the new version.
            Copies changed by hand are never overwritten.
          </p>
        </fieldset>

        <fieldset>
          <legend>Diagnostics</legend>
          <div className="field">
            <label htmlFor="log-level">Log level</label>
            <select id="log-level" value={form.log_level} onChange={(e) => set("log_level", e.target.value)}>
              <option value="error">error</option>
              <option value="warn">warn</option>
              <option value="info">info</option>
              <option value="debug">debug</option>
            </select>
          </div>
          <dl className="about">
            <dt>Data folder</dt>
            <dd>
              <code>{data.dataDir || "—"}</code>
            </dd>
            <dt>Log file</dt>
            <dd>
              <code>{data.logFile || "—"}</code>
            </dd>
            <dt>Transport</dt>
            <dd>{transportName() === "tauri" ? "Desktop (Tauri IPC)" : "Browser (local HTTP server)"}</dd>
          </dl>
        </fieldset>

        <ErrorBox error={saveError} onDismiss={() => setSaveError(null)} />
        {notice && <Notice>{notice}</Notice>}
        <div className="row gap-s">
          <button type="submit" className="btn btn-primary" disabled={!dirty || saving}>
            {saving ? "Saving…" : "Save settings"}
          </button>
          <button type="button" className="btn btn-ghost" disabled={!dirty || saving} onClick={() => setForm(initial)}>
            Revert
          </button>
        </div>
      </form>
    </div>
  );
}
