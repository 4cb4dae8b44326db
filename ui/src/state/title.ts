// Each page names itself in the window title ("Usage — Skill Builder").

import { useEffect } from "react";

export const APP_NAME = "Skill Builder";

export function pageTitle(title: string): string {
  return title ? `${title} — ${APP_NAME}` : APP_NAME;
}

export function useTitle(title: string) {
  useEffect(() => {
    document.title = pageTitle(title);
  }, [title]);
}
