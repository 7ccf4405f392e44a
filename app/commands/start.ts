// `lookout start`: build the hub, start it, and stop it cleanly on SIGTERM/SIGINT.
import type { Config } from '../config.js';
import { createHub, type Hub } from '../hub.js';
import { errorMessage, type Io } from '../io.js';

export async function startCommand(config: Config, io: Io, signals = true): Promise<{ hub: Hub; ports: { httpPort: number; mqttPort: number } }> {
  const hub = await createHub(config, {
    onFirstAdmin: (user, generated) => {
      if (generated) io.stdout.write(`\nFirst start: created user "${user}" with password ${generated}\n(shown once; set LOOKOUT_ADMIN_PASSWORD to choose it)\n\n`);
      if (config.admin2fa === 'required') io.stdout.write(`First start: "${user}" sets up two-factor login (an authenticator app) at the first login in the browser.\n`);
    },
  });
  const ports = await hub.start();
  io.stdout.write(`Lookout is running: http://${config.http.host}:${ports.httpPort}/  mqtt://${config.mqtt.host}:${ports.mqttPort}  (Ctrl-C to stop)\n`);
  if (signals) {
    const stop = (sig: string) => {
      io.stdout.write(`\n${sig}: stopping (MQTT closed, flushing readings)…\n`);
      hub.close().then(
        () => process.exit(0),
        (err) => {
          io.stderr.write(`shutdown failed: ${errorMessage(err)}\n`);
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  }
  return { hub, ports };
}

