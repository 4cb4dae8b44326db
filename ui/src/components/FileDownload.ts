// Hands a file the backend wrote (a `.skill` package, an exported ZIP) to the browser as a
// download. The same code runs in the desktop shell: the bytes come through `invoke`, never
// through a URL the webview would have to fetch.

import { invoke } from "../api/transport";

/** Reads `path` (at most 5 MB, the backend's limit) and saves it as `fileName`. */
export async function downloadFile(path: string, fileName: string, mime = "application/zip"): Promise<void> {
  const b64 = await invoke<string>("read_file_as_base64", { filePath: path });
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const url = URL.createObjectURL(new Blob([bytes], { type: mime }));
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  a.rel = "noopener";
  a.style.display = "none";
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The download has started by now; keep the URL a little longer for slow webviews.
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The last path segment (either separator). */
export function baseName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? path;
}
