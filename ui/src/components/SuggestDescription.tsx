// "Suggest a description": one short call to `generate_suggestions` (needs the API key), the
// answer offered for the user to accept into the field.

import { useState } from "react";
import { invoke } from "../api/transport";
import { getSettings } from "../api/hooks";
import type { FieldSuggestions } from "../api/types";
import { ErrorBox } from "./ErrorBox";

export function SuggestDescription({ name, purpose, onAccept }: { name: string; purpose: string; onAccept: (text: string) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [suggestion, setSuggestion] = useState<string | null>(null);

  const ask = async () => {
    setBusy(true);
    setError(null);
    setSuggestion(null);
    try {
      const s = await getSettings();
      const r = await invoke<FieldSuggestions>("generate_suggestions", {
        skillName: name,
        purpose: purpose || "domain",
        industry: s.industry ?? null,
        functionRole: s.function_role ?? null,
        fields: ["description"],
      });
      setSuggestion(r.description.trim() || null);
      if (!r.description.trim()) setError(new Error("The model returned no description; try again or write one yourself."));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="suggest">
      <button type="button" className="btn btn-small" onClick={ask} disabled={busy || !name.trim()} title={name.trim() ? undefined : "Enter a skill name first"}>
        {busy ? "Asking Claude…" : "Suggest a description"}
      </button>
      <ErrorBox error={error} onDismiss={() => setError(null)} />
      {suggestion && (
        <div className="suggestion" role="status" aria-label="Suggested description">
          <p>{suggestion}</p>
          <div className="row gap-s">
            <button
              type="button"
              className="btn btn-small btn-primary"
              onClick={() => {
                onAccept(suggestion);
                setSuggestion(null);
              }}
            >
              Use this description
            </button>
            <button type="button" className="btn btn-small btn-ghost" onClick={() => setSuggestion(null)}>
              Discard
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
