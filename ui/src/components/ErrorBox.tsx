// Shows a failure with what to do next (never a bare message). A server that cannot be reached
// is not shown here: the one offline banner of the app says it (state/offline.ts).

import { useEffect } from "react";
import { explain } from "../api/errors";
import { ApiError } from "../api/transport";
import { isServerUnreachable, reportUnreachable, useOffline } from "../state/offline";

/** Where an outside service failed, what address it has and what to check. */
const OUTSIDE_NEXT =
  "Skill Builder could not reach an outside service. Check your internet connection and any proxy. " +
  "The Anthropic API is https://api.anthropic.com (or ANTHROPIC_BASE_URL if you set it); GitHub is https://api.github.com. " +
  "Then try again.";

export function ErrorBox({ error, onRetry, onDismiss }: { error: unknown; onRetry?: () => void; onDismiss?: () => void }) {
  const unreachable = isServerUnreachable(error);
  const offline = useOffline();
  useEffect(() => {
    if (unreachable) reportUnreachable();
  }, [unreachable, error]);
  if (!error || unreachable || (offline && error instanceof ApiError && error.kind === "network")) return null;
  const e = explain(error);
  if (e.kind === "network") e.next = OUTSIDE_NEXT;
  return (
    <div className={`alert ${e.notImplemented ? "alert-info" : "alert-error"}`} role="alert" data-kind={e.kind}>
      <strong className="alert-title">{e.title}</strong>
      {e.detail && <p className="alert-detail">{e.detail}</p>}
      <p className="alert-next">
        <span className="muted">What to do next: </span>
        {e.next}
      </p>
      {(onRetry || onDismiss) && (
        <div className="row gap-s">
          {onRetry && !e.notImplemented && (
            <button type="button" className="btn btn-small" onClick={onRetry}>
              Try again
            </button>
          )}
          {onDismiss && (
            <button type="button" className="btn btn-small btn-ghost" onClick={onDismiss}>
              Dismiss
            </button>
          )}
        </div>
      )}
    </div>
  );
}

export function Notice({ children, tone = "success" }: { children: React.ReactNode; tone?: "success" | "info" }) {
  return (
    <div className={`alert alert-${tone}`} role="status">
      {children}
    </div>
  );
}

export function Spinner({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="spinner-row" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}
