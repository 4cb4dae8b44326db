// Shows a failure with what to do next (never a bare message).

import { explain } from "../api/errors";

export function ErrorBox({ error, onRetry, onDismiss }: { error: unknown; onRetry?: () => void; onDismiss?: () => void }) {
  if (!error) return null;
  const e = explain(error);
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
