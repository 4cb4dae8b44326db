// GitHub sign-in with the device flow: the user code shown with a copy button, the
// verification link, polling at GitHub's interval until the user authorized (or refused, or
// the code expired), then the signed-in user with Sign out.

import { useCallback, useEffect, useRef, useState } from "react";
import { invoke } from "../api/transport";
import { forgetSettings, useAsync } from "../api/hooks";
import type { DeviceFlowResponse, GitHubAuthResult, GitHubUser } from "../api/types";
import { ErrorBox, Notice, Spinner } from "./ErrorBox";

type Flow =
  | { kind: "idle" }
  | { kind: "starting" }
  | { kind: "waiting"; device: DeviceFlowResponse }
  | { kind: "ended"; message: string };

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard permission (plain http, some webviews): fall back to a selected textarea.
    const ta = document.createElement("textarea");
    ta.value = text;
    ta.setAttribute("readonly", "");
    ta.style.position = "fixed";
    ta.style.opacity = "0";
    document.body.appendChild(ta);
    ta.select();
    const ok = document.execCommand("copy");
    ta.remove();
    return ok;
  }
}

export function GitHubSignIn({ onSignedIn, compact = false }: { onSignedIn?: (u: GitHubUser) => void; compact?: boolean }) {
  const user = useAsync(() => invoke<GitHubUser | null>("github_get_user"), []);
  const [flow, setFlow] = useState<Flow>({ kind: "idle" });
  const [error, setError] = useState<unknown>(null);
  const [copied, setCopied] = useState<boolean | null>(null);
  const [signedIn, setSignedIn] = useState<GitHubUser | null>(null);
  const timer = useRef<number | null>(null);
  const alive = useRef(true);

  const stop = useCallback(() => {
    if (timer.current != null) window.clearTimeout(timer.current);
    timer.current = null;
  }, []);

  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
      stop();
    };
  }, [stop]);

  const poll = useCallback(
    (device: DeviceFlowResponse, intervalSecs: number, deadline: number) => {
      timer.current = window.setTimeout(async () => {
        if (!alive.current) return;
        if (Date.now() > deadline) {
          setFlow({ kind: "ended", message: "The code expired before it was used. Start again to get a new one." });
          return;
        }
        try {
          const r = await invoke<GitHubAuthResult>("github_poll_for_token", { deviceCode: device.device_code });
          if (!alive.current) return;
          switch (r.status) {
            case "pending":
              poll(device, intervalSecs, deadline);
              break;
            case "slow_down":
              // GitHub asks for at least 5 more seconds (or says how long).
              poll(device, r.interval ?? intervalSecs + 5, deadline);
              break;
            case "expired":
              setFlow({ kind: "ended", message: "The code expired before it was used. Start again to get a new one." });
              break;
            case "denied":
              setFlow({ kind: "ended", message: "The authorization was refused on GitHub. Start again if that was a mistake." });
              break;
            case "success":
              forgetSettings();
              setFlow({ kind: "idle" });
              setSignedIn(r.user);
              user.reload();
              onSignedIn?.(r.user);
              break;
          }
        } catch (e) {
          if (!alive.current) return;
          setError(e);
          setFlow({ kind: "idle" });
        }
      }, intervalSecs * 1000);
    },
    [onSignedIn, user],
  );

  const start = async () => {
    stop();
    setError(null);
    setCopied(null);
    setFlow({ kind: "starting" });
    try {
      const device = await invoke<DeviceFlowResponse>("github_start_device_flow");
      setFlow({ kind: "waiting", device });
      poll(device, Math.max(1, device.interval || 5), Date.now() + device.expires_in * 1000);
    } catch (e) {
      setError(e);
      setFlow({ kind: "idle" });
    }
  };

  const cancel = () => {
    stop();
    setFlow({ kind: "idle" });
  };

  const signOut = async () => {
    setError(null);
    try {
      await invoke("github_logout");
      forgetSettings();
      setSignedIn(null);
      user.reload();
    } catch (e) {
      setError(e);
    }
  };

  const current = user.data ?? null;

  if (user.loading && !user.data && !user.error) return <Spinner label="Checking GitHub sign-in…" />;

  return (
    <div className={`github-signin ${compact ? "compact" : ""}`}>
      <ErrorBox error={user.error} onRetry={user.reload} />
      {current ? (
        <div className="row gap-s wrap" role="status" aria-label="GitHub account">
          {current.avatar_url && <img className="gh-avatar" src={current.avatar_url} alt="" width={28} height={28} />}
          <span>
            Signed in to GitHub as <strong>{current.login}</strong>
            {current.email ? <span className="muted"> ({current.email})</span> : null}
          </span>
          <button type="button" className="btn btn-small" onClick={signOut}>
            Sign out of GitHub
          </button>
        </div>
      ) : (
        <>
          {signedIn && <Notice>Signed in as {signedIn.login}.</Notice>}
          {flow.kind !== "waiting" && (
            <div className="row gap-s wrap">
              <button type="button" className="btn btn-primary" onClick={start} disabled={flow.kind === "starting"}>
                {flow.kind === "starting" ? "Contacting GitHub…" : "Sign in with GitHub"}
              </button>
              {!compact && <span className="help">Needed for private repositories and GitHub's higher rate limits.</span>}
            </div>
          )}
          {flow.kind === "ended" && (
            <div className="alert alert-info" role="status">
              {flow.message}
            </div>
          )}
          {flow.kind === "waiting" && (
            <div className="device-flow panel" role="group" aria-label="GitHub device sign-in">
              <p>
                1. Open{" "}
                <a href={flow.device.verification_uri} target="_blank" rel="noopener noreferrer">
                  {flow.device.verification_uri}
                </a>
              </p>
              <p>2. Enter this code:</p>
              <div className="row gap-s wrap">
                <code className="device-code" aria-label="Your GitHub code">
                  {flow.device.user_code}
                </code>
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={async () => setCopied(await copyText(flow.device.user_code))}
                >
                  Copy code
                </button>
                {copied === true && (
                  <span className="muted small" role="status">
                    Copied
                  </span>
                )}
                {copied === false && (
                  <span className="muted small" role="status">
                    Copy it by hand: the browser refused the clipboard
                  </span>
                )}
              </div>
              <Spinner label="Waiting for you to authorize Skill Builder on GitHub…" />
              <button type="button" className="btn btn-small btn-ghost" onClick={cancel}>
                Cancel sign-in
              </button>
            </div>
          )}
        </>
      )}
      <ErrorBox error={error} onDismiss={() => setError(null)} />
    </div>
  );
}
