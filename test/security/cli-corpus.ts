/**
 * The CLI bad-input corpus (issue 13): hostile and mistaken command lines and files, each with
 * the exit status and the stderr lines it must produce. `{dir}` in args and files stands for the
 * case's scratch folder. Run by cli-corpus.test.ts through the real command-line entry (main)
 * in one child process.
 */

export interface CliCase {
  name: string;
  args: string[];
  /** Files to create in {dir} first; a Buffer for raw bytes, null for a FIFO, a number for that many zero bytes. */
  files?: Record<string, string | Buffer | number | null>;
  code: number;
  /** Each must match some stderr line. */
  err: RegExp[];
  /** No stderr line may match (e.g. file contents that must not be echoed). */
  notErr?: RegExp;
}

export const GOOD = `name: good
topology: { generator: star, clients: 2, latency: 1ms, bandwidth: 100Mbps }
duration: 2s
apps:
  web: { kind: server, on: server, port: 80, responseBytes: 2KB }
  users: { kind: client, on: client, target: server:80, rate: 5/s, stop: 1s }
`;
const good = { 'good.yaml': GOOD };
const withTcp = (tcp: string) => ({ 'x.yaml': GOOD.replace('duration: 2s\n', `duration: 2s\ntcp: { ${tcp} }\n`) });
const set = (s: string, code = 2, ...err: RegExp[]): CliCase => ({
  name: `--set ${s}`,
  args: ['validate', '{dir}/good.yaml', '--set', s],
  files: good,
  code,
  err,
});
const tcp = (t: string, field: string, range: RegExp): CliCase => ({
  name: `tcp: { ${t} }`,
  args: ['validate', '{dir}/x.yaml'],
  files: withTcp(t),
  code: 2,
  err: [new RegExp(`^\\{dir\\}/x\\.yaml: tcp\\.${field}: ${range.source}`)],
});
const file = (name: string, text: string | Buffer | number | null, err: RegExp[], notErr?: RegExp): CliCase => ({
  name,
  args: ['validate', `{dir}/${name.replace(/ .*/, '')}`],
  files: { [name.replace(/ .*/, '')]: text },
  code: 2,
  err,
  ...(notErr ? { notErr } : {}),
});
const RESERVED = /is a reserved name/;

export const CLI_CASES: CliCase[] = [
  // usage
  { name: 'no command', args: [], code: 2, err: [/^tcplab: name a command/] },
  { name: 'unknown command', args: ['frobnicate'], code: 2, err: [/^tcplab: /] },
  { name: 'run without files', args: ['run'], code: 2, err: [/^tcplab: Not enough non-option arguments/] },
  {
    name: 'unknown option',
    args: ['validate', '{dir}/good.yaml', '--frob'],
    files: good,
    code: 2,
    err: [/^tcplab: Unknown argument: frob/],
  },
  {
    name: '--seed abc',
    args: ['run', '{dir}/good.yaml', '--seed', 'abc'],
    files: good,
    code: 2,
    err: [/^tcplab: --seed: expected a whole number ≥ 0, got something that is not a number$/],
  },
  {
    name: '--seeds 0',
    args: ['run', '{dir}/good.yaml', '--seeds', '0'],
    files: good,
    code: 2,
    err: [/^tcplab: --seeds: expected a whole number ≥ 1, got 0$/],
  },
  {
    name: '--jobs -1',
    args: ['run', '{dir}/good.yaml', '--jobs', '-1'],
    files: good,
    code: 2,
    err: [/^tcplab: --jobs: expected a whole number ≥ 0, got -1$/],
  },
  {
    name: '--shard 3/3',
    args: ['run', '{dir}/good.yaml', '--shard', '3/3'],
    files: good,
    code: 2,
    err: [/^tcplab: --shard: expected i\/n/],
  },
  {
    name: '--shard abc',
    args: ['run', '{dir}/good.yaml', '--shard', 'abc'],
    files: good,
    code: 2,
    err: [/^tcplab: --shard: expected i\/n/],
  },
  set('tcp.backlog', 2, /--set tcp\.backlog: expected path=value/),
  set('nosuch.param=1', 2, /--set nosuch\.param=1: no such parameter: the experiment has no parameter "nosuch"/),
  set('tcp.backlg=1', 2, /no such parameter: tcp has no parameter "backlg" \(did you mean "backlog"\?\)/),
  set('tcp.backlog=many', 2, /tcp\.backlog: expected a whole number from 0 to 2147483647, got "many"/),
  // item 1: the prototype
  set('apps.__proto__.stop=1s', 2, RESERVED),
  set('apps.constructor.prototype.stop=1s', 2, RESERVED),
  set('__proto__.mode=0', 2, RESERVED),
  set('apps.users={__proto__: {stop: 1s}}', 2, RESERVED),
  set('sweep.apps.__proto__.stop=[1s, 2s]', 2, RESERVED),
  {
    name: 'run --set apps.__proto__.mode=0 writes nothing',
    args: ['run', '{dir}/good.yaml', '--set', 'apps.__proto__.mode=0', '--out', '{dir}/out'],
    files: good,
    code: 2,
    err: [RESERVED],
  },
  file('proto-key.yaml', GOOD.replace('apps:\n', 'apps:\n  __proto__: { stop: 1s }\n'), [
    /^\{dir\}\/proto-key\.yaml: apps\.__proto__: "__proto__" is a reserved name/,
  ]),
  file('proto-axis.yaml', `${GOOD}sweep:\n  apps.__proto__.stop: [1s, 2s]\n`, [RESERVED]),
  file('proto-variant.yaml', `${GOOD}sweep:\n  d:\n    a: { apps.constructor.stop: 1s }\n`, [RESERVED]),
  file('proto-variant-name.yaml', `${GOOD}sweep:\n  d:\n    prototype: { tcp.backlog: 1 }\n`, [RESERVED]),
  // item 6: files
  {
    name: '/dev/zero as a spec',
    args: ['validate', '/dev/zero'],
    code: 2,
    err: [/^\/dev\/zero: cannot read: not a regular file/],
  },
  {
    name: 'a folder as a spec',
    args: ['validate', '{dir}'],
    code: 2,
    err: [/^\{dir\}: cannot read: is a folder, not a file$/],
  },
  file('missing.yaml', undefined as never, [/^\{dir\}\/missing\.yaml: cannot read: no such file$/]),
  file('fifo.yaml', null, [/^\{dir\}\/fifo\.yaml: cannot read: not a regular file/]),
  file('big.yaml', 9_000_000, [/^\{dir\}\/big\.yaml: cannot read: larger than 8 MB/]),
  file('latin1.yaml', Buffer.from('name: caf\xe9\n', 'latin1'), [
    /^\{dir\}\/latin1\.yaml: cannot read: not UTF-8 text \(line 1/,
  ]),
  file(
    'passwd.yaml',
    GOOD.replace(/topology: .*\n/, 'topology: /etc/passwd\n'),
    [/^\{dir\}\/passwd\.yaml: topology: \/etc\/passwd is not a topology file/],
    /root:/,
  ),
  file('topo-dev.yaml', GOOD.replace(/topology: .*\n/, 'topology: /dev/zero\n'), [
    /^\{dir\}\/topo-dev\.yaml: topology: cannot read \/dev\/zero: not a regular file/,
  ]),
  file('topo-missing.yaml', GOOD.replace(/topology: .*\n/, 'topology: nope.yaml\n'), [
    /^\{dir\}\/topo-missing\.yaml: topology: cannot read \{dir\}\/nope\.yaml: no such file$/,
  ]),
  // item 7: values the engine cannot run
  tcp('rcvBuf: 0', 'rcvBuf', /expected a size in bytes from 4608 to 1073741824, got 0$/),
  tcp('sndBuf: 0', 'sndBuf', /expected a size in bytes from 1 to 1073741824, got 0$/),
  tcp('maxRto: 0s', 'maxRto', /expected a duration from 1s to 86400s, got 0s$/),
  tcp('minRto: 1ns', 'minRto', /expected a duration from 1ms/),
  tcp('initCwnd: 0', 'initCwnd', /expected a whole number from 1 to 65535, got 0$/),
  tcp('backlog: 1e15', 'backlog', /expected a whole number from 0 to 2147483647, got 1000000000000000$/),
  tcp('synCacheBucketSize: 1e12', 'synCacheBucketSize', /expected a whole number from 1 to 2048/),
  tcp('mss: 65535', 'mss', /expected a size in bytes from 88 to 65455, got 65535$/),
  tcp('keepaliveIdle: 0s', 'keepaliveIdle', /expected a duration from 1s to 32767s, got 0s$/),
  tcp('synAckRetries: 300', 'synAckRetries', /expected a whole number from 0 to 255, got 300$/),
  tcp('delayedAckMax: 2s', 'delayedAckMax', /expected a duration from 0s to 500ms, got 2s$/),
  tcp('synGiveUp: 1ns', 'synGiveUp', /expected a duration from 1ms to 86400s \(or 0s: synRetries decides\), got 1ns$/),
  tcp('somaxconn: 2e9', 'somaxconn', /expected a whole number from 0 to 1000000/),
  tcp('minRto: 5s, maxRto: 2s', 'minRto', /minRto \(5s\) is above maxRto \(2s\)$/),
  tcp(
    'ephemeralLow: 60000, ephemeralHigh: 1000',
    'ephemeralLow',
    /ephemeralLow \(60000\) is above ephemeralHigh \(1000\)$/,
  ),
  file('server-backlog.yaml', GOOD.replace('responseBytes: 2KB', 'responseBytes: 2KB, backlog: 1e15'), [
    /apps\.web\.backlog: expected a whole number from 0 to 2147483647/,
  ]),
  set('duration=100000h', 2, /duration: "100000h" is longer than the simulated clock can count/),
  set('duration=2000h', 2, /duration: expected at most 2592000s \(30 days\), got 7200000s$/),
  set('sampleInterval=1ns', 2, /sampleInterval: expected 1us or longer, got 1ns$/),
  {
    name: 'a billion connections per second: estimate, exit 2 without --yes',
    args: ['run', '{dir}/good.yaml', '--set', 'apps.users.rate=1e9/s', '--out', '{dir}/out'],
    files: good,
    code: 2,
    err: [
      /^tcplab: \{dir\}\/good\.yaml: 1 run, about [0-9.e]+ simulator events \(~[0-9.]+ days of CPU\); from apps\.users: .*; pass --yes to run it anyway$/,
    ],
  },
  // YAML
  file('syntax.yaml', 'name: x\n  bad: [\n', [/^\{dir\}\/syntax\.yaml:\d+:\d+: YAML syntax error/]),
  file('dup.yaml', 'name: a\nname: b\n', [/^\{dir\}\/dup\.yaml:2:1: duplicate key: name is already set at line 1/]),
  file('tabs.yaml', 'name: a\n\tduration: 1s\n', [/^\{dir\}\/tabs\.yaml:\d+:\d+: YAML syntax error/]),
  file(
    'laughs.yaml',
    `a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n`,
    [/^\{dir\}\/laughs\.yaml: YAML error: Excessive alias count/],
  ),
  file('deep.yaml', `${'['.repeat(3000)}${']'.repeat(3000)}\n`, [
    /^\{dir\}\/deep\.yaml: YAML nested too deeply to read$/,
  ]),
  file('binary.yaml', Buffer.from(Array.from({ length: 4000 }, (_, i) => ((i * 7919) % 96) + 32)), [
    /^\{dir\}\/binary\.yaml: \d+ more YAML syntax errors not shown$|^\{dir\}\/binary\.yaml: expected a map/,
  ]),
  file('empty.yaml', '', [/^\{dir\}\/empty\.yaml: expected a map of keys, got nothing$/]),
  file('list.yaml', '- a\n- b\n', [/^\{dir\}\/list\.yaml: expected a map of keys, got a list$/]),
  file('token.yaml', `${GOOD}seed: "${'A'.repeat(100_130)}"\n`, [
    /^\{dir\}\/token\.yaml: seed: expected a whole number from 0 to 4294967295, got "A{60}"… \(100130 characters\)$/,
  ]),
  file(
    'control.yaml',
    GOOD.replace('name: good', 'name: "a\\u0001\\u001b[31mb"'),
    [/^\{dir\}\/control\.yaml: name: expected a name for the experiment .* got "a\\u0001\\u001b\[31mb"$/],
    /\x01|\x1b/,
  ),
  {
    name: 'a topology file given to run',
    args: ['run', '{dir}/t.yaml'],
    files: { 't.yaml': 'nodes: { a: {}, b: {} }\nlinks:\n  - { between: [a, b], latency: 1ms, bandwidth: 1Mbps }\n' },
    code: 2,
    err: [/^\{dir\}\/t\.yaml: this is a topology file; an experiment names it under topology:$/],
  },
  // spec semantics
  file('kind.yaml', GOOD.replace('kind: client', 'kind: clinet'), [
    /apps\.users\.kind: expected one of server, client, synflood, bulk, script, got "clinet" \(did you mean "client"\?\)/,
  ]),
  file('node.yaml', GOOD.replace('on: client,', 'on: nobody,'), [/apps\.users\.on: unknown node or group "nobody"/]),
  file('negative.yaml', GOOD.replace('duration: 2s', 'duration: -5s'), [
    /duration: expected a duration like "10ms", got "-5s"/,
  ]),
  file('rate.yaml', GOOD.replace('rate: 5/s', 'rate: fast'), [
    /apps\.users\.rate: expected a rate like "1000\/s", got "fast"/,
  ]),
  file('seeds.yaml', `${GOOD}seeds: 0\n`, [/seeds: expected a whole number from 1 to/]),
  file('typo.yaml', `${GOOD}sampleIntervall: 1s\n`, [
    /sampleIntervall: unknown key \(did you mean "sampleInterval"\?\)/,
  ]),
  // other commands and output folders
  {
    name: 'report on a folder that is not results',
    args: ['report', '{dir}'],
    files: { 'x.txt': 'hi' },
    code: 2,
    err: [/^tcplab: \{dir\}: not a results folder/],
  },
  {
    name: 'report on a missing folder',
    args: ['report', '{dir}/nope'],
    code: 2,
    err: [/^tcplab: \{dir\}\/nope: no such folder/],
  },
  {
    name: 'merge a folder without a manifest',
    args: ['merge', '{dir}', '--out', '{dir}/m'],
    files: { 'x.txt': 'hi' },
    code: 2,
    err: [/^tcplab: \{dir\}: not a shard folder/],
  },
  {
    name: 'merge a malformed manifest',
    args: ['merge', '{dir}', '--out', '{dir}/m'],
    files: { 'shard-0-of-1.json': '{"format": "tcplab-shard/1",' },
    code: 2,
    err: [/^tcplab: \{dir\}\/shard-0-of-1\.json: not valid JSON/],
  },
  {
    name: 'merge a manifest with a traversing run id',
    args: ['merge', '{dir}', '--out', '{dir}/m'],
    files: {
      'shard-0-of-1.json': JSON.stringify({
        format: 'tcplab-shard/1',
        shard: { index: 0, count: 1 },
        runIds: ['../../x'],
        plan: {
          experiment: 'e',
          spec: {},
          trace: false,
          pcap: false,
          hash: '0'.repeat(64),
          runs: [{ id: '../../x', pointIndex: 0, point: {}, seed: 1, key: '0'.repeat(64) }],
        },
      }),
    },
    code: 2,
    err: [
      /^tcplab: \{dir\}\/shard-0-of-1\.json: plan\.runs\[0\]\.id: expected a run id like p0-s1, got "\.\.\/\.\.\/x"$/,
    ],
  },
  { name: 'drill on a missing path', args: ['drill', '{dir}/nope.pkt'], code: 2, err: [/nope\.pkt/] },
  {
    name: 'run --out /proc/self/x (used to hang)',
    args: ['run', '{dir}/good.yaml', '--out', '/proc/self/x'],
    files: good,
    code: 2,
    err: [/^tcplab: \/proc\/self\/x: cannot be created: \/proc\/self is in a kernel file system/],
  },
  {
    name: 'run --out inside a file',
    args: ['run', '{dir}/good.yaml', '--out', '{dir}/good.yaml/sub'],
    files: good,
    code: 2,
    err: [/^tcplab: \{dir\}\/good\.yaml\/sub: cannot be created: \{dir\}\/good\.yaml is a file, not a folder/],
  },
  {
    name: "run --out onto another experiment's results",
    args: ['run', '{dir}/good.yaml', '--out', '{dir}'],
    files: { ...good, 'summary.json': '{"experiment": "other"}' },
    code: 2,
    err: [
      /^tcplab: \{dir\}: holds the results of experiment "other", not "good"; give another folder, or --force to replace them \(--out\)$/,
    ],
  },
  {
    name: 'run --out onto a file',
    args: ['run', '{dir}/good.yaml', '--out', '{dir}/good.yaml'],
    files: good,
    code: 2,
    err: [/^tcplab: \{dir\}\/good\.yaml: a file, not a folder \(--out\)$/],
  },
  {
    name: "run --out onto a folder of the user's",
    args: ['run', '{dir}/good.yaml', '--out', '{dir}'],
    files: good,
    code: 2,
    err: [/^tcplab: \{dir\}: holds other files and no tcplab results/],
  },
];
