// Data loading hooks over `invoke`.

import { useCallback, useEffect, useRef, useState } from "react";
import { invoke } from "./transport";
import type { AppSettings } from "./types";

export interface AsyncState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Calls `load` now and whenever `deps` change; `reload()` calls it again. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): AsyncState<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let alive = true;
    setLoading(true);
    loadRef
      .current()
      .then((d) => {
        if (!alive) return;
        setData(d);
        setError(null);
      })
      .catch((e) => alive && setError(e))
      .finally(() => alive && setLoading(false));
    return () => {
      alive = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}

/** Call a command. */
export function useCommand<T>(name: string, args: Record<string, unknown> = {}, deps: unknown[] = []) {
  return useAsync<T>(() => invoke<T>(name, args), [name, JSON.stringify(args), ...deps]);
}

let settingsCache: Promise<AppSettings> | null = null;

/** The settings (cached; `forgetSettings()` after a save). */
export function getSettings(): Promise<AppSettings> {
  if (!settingsCache) {
    settingsCache = invoke<AppSettings>("get_settings").catch((e) => {
      settingsCache = null;
      throw e;
    });
  }
  return settingsCache;
}

export function forgetSettings() {
  settingsCache = null;
}

export function useSettings() {
  return useAsync(getSettings, []);
}

/** `<skills_path>/<skill>/<rel>` with the separator the path already uses. */
export function skillPath(settings: AppSettings, skill: string, rel = ""): string {
  const root = (settings.skills_path ?? "").replace(/[\\/]+$/, "");
  const sep = root.includes("\\") && !root.includes("/") ? "\\" : "/";
  const parts = [root, skill, ...rel.split("/").filter(Boolean)];
  return parts.join(sep);
}

/** `<workspace_path>/<skill>/<rel>`: the skill's working folder (user context, evaluations, logs). */
export function workspaceSkillPath(settings: AppSettings, skill: string, rel = ""): string {
  const root = (settings.workspace_path ?? "").replace(/[\\/]+$/, "");
  const sep = root.includes("\\") && !root.includes("/") ? "\\" : "/";
  return [root, skill, ...rel.split("/").filter(Boolean)].join(sep);
}
