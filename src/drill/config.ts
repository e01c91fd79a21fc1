/** Script-level settings from `--flag=value` lines, with packetdrill's defaults (config.c). */
import { parseIpv4 } from '../wire/ip.ts';
import { DRILL_LOCAL_ADDRESS, DRILL_PORT, DRILL_REMOTE_ADDRESS, DRILL_REMOTE_PORT } from './host.ts';
import type { DrillScript } from './script.ts';

export interface DrillConfig {
  toleranceUsecs: number;
  /** Extra tolerance as a share of the time since the previous event (packetdrill: 12.5 %). */
  tolerancePercent: number;
  strictSegments: boolean;
  tsTickUsecs: number;
  tsEcrScaled: boolean;
  localAddr: number;
  remoteAddr: number;
  bindPort: number;
  connectPort: number;
  defaultRemotePort: number;
}

export function drillConfig(script: DrillScript): { ok: true; config: DrillConfig } | { ok: false; error: string } {
  const c: DrillConfig = {
    toleranceUsecs: 4000,
    tolerancePercent: 12.5,
    strictSegments: false,
    tsTickUsecs: 0,
    tsEcrScaled: false,
    localAddr: DRILL_LOCAL_ADDRESS,
    remoteAddr: DRILL_REMOTE_ADDRESS,
    bindPort: DRILL_PORT,
    connectPort: DRILL_PORT,
    defaultRemotePort: DRILL_REMOTE_PORT,
  };
  for (const f of script.flags) {
    const bad = (): { ok: false; error: string } => ({
      ok: false,
      error: `line ${f.line}: bad --${f.name}: ${f.value ?? '(no value)'}`,
    });
    const num = f.value === null ? NaN : Number(f.value);
    switch (f.name) {
      case 'tolerance_usecs':
        if (!(num >= 0)) return bad();
        c.toleranceUsecs = num;
        break;
      case 'tolerance_percent':
        if (!(num >= 0)) return bad();
        c.tolerancePercent = num;
        break;
      case 'tcp_ts_tick_usecs':
        if (!(num >= 0)) return bad();
        c.tsTickUsecs = num;
        break;
      case 'strict_segments':
        c.strictSegments = true;
        break;
      case 'tcp_ts_ecr_scaled':
        c.tsEcrScaled = true;
        break;
      case 'bind_port':
        if (!(num > 0 && num < 65536)) return bad();
        c.bindPort = num;
        break;
      case 'connect_port':
        if (!(num > 0 && num < 65536)) return bad();
        c.connectPort = num;
        break;
      case 'local_ip':
      case 'remote_ip': {
        const addr = parseIpv4((f.value ?? '').replace(/\/\d+$/, ''));
        if (addr === null) return bad();
        if (f.name === 'local_ip') c.localAddr = addr;
        else c.remoteAddr = addr;
        break;
      }
      default:
        break; // ip_version, mss, verbose, …: checked by features.ts or without effect here
    }
  }
  return { ok: true, config: c };
}
