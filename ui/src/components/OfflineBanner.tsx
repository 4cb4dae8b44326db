// The one place that says the Skill Builder server is gone (instead of an error box per request).

import { useOffline } from "../state/offline";

export function OfflineBanner() {
  const offline = useOffline();
  if (!offline) return null;
  return (
    <div className="offline-banner" role="alert" aria-label="Server offline">
      <strong>Lost the connection to the Skill Builder server at {window.location.origin}.</strong>{" "}
      Check that <code>skill-builder serve</code> is still running (restart it if it stopped, then open the URL it prints). This page reconnects by
      itself when the server answers again.
    </div>
  );
}
