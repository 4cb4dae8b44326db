import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// `npm run dev` proxies /api to a running `skill-builder serve`.
// SKILL_BUILDER_URL = the tokened URL it printed, e.g. http://127.0.0.1:4321/?token=abc…
const target = process.env.SKILL_BUILDER_URL ?? "http://127.0.0.1:4321/";
const url = new URL(target);
const token = url.searchParams.get("token") ?? process.env.SKILL_BUILDER_TOKEN ?? "";

export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", sourcemap: false, chunkSizeWarningLimit: 800 },
  server: {
    port: 5173,
    proxy: {
      "/api": {
        target: url.origin,
        changeOrigin: true,
        configure: (proxy) => {
          proxy.on("proxyReq", (req) => {
            // The server checks Origin (CSRF guard) and the token: present both as its own.
            req.removeHeader("origin");
            req.removeHeader("referer");
            if (token) req.setHeader("authorization", `Bearer ${token}`);
          });
        },
      },
    },
  },
});
