/** The stack's call bracket: notifications raised inside a call reach applications, in order, when it ends. */
import { describe, expect, it } from 'vitest';
import { ConnEvent } from '../../src/tcp/api.ts';
import { CallBracket } from '../../src/stack/call-bracket.ts';
import { StackSocket, type SocketOwner } from '../../src/stack/sockets.ts';
import type { SocketHandler } from '../../src/stack/socket-api.ts';

class Bracket extends CallBracket {
  raise(s: StackSocket, what: ConnEvent): void {
    this.enqueue(s, what, undefined);
  }
}

describe('CallBracket', () => {
  it('delivers every notification of a call in order when the outermost call ends, however many (its queue grows)', () => {
    const got: string[] = [];
    const handler = (name: string): SocketHandler => ({
      onConnected: () => got.push(`${name} connected`),
      onReadable: () => got.push(`${name} readable`),
      onWritable: () => got.push(`${name} writable`),
    });
    const b = new Bracket();
    const socks = ['a', 'b', 'c', 'd', 'e'].map((n) => new StackSocket({} as SocketOwner, handler(n)));
    for (let round = 0; round < 2; round++) {
      b.begin();
      b.begin();
      for (const s of socks) {
        b.raise(s, ConnEvent.CONNECTED);
        b.raise(s, ConnEvent.READABLE);
      }
      b.end();
      expect(got).toEqual([]); // still inside the outer call
      b.raise(socks[0]!, ConnEvent.WRITABLE);
      b.end();
      expect(got).toEqual([
        ...['a', 'b', 'c', 'd', 'e'].flatMap((n) => [`${n} connected`, `${n} readable`]),
        'a writable',
      ]);
      got.length = 0;
    }
  });

  it('delivers what a handler raises while notifications are delivered, after them, even when that grows the queue', () => {
    const got: string[] = [];
    const b = new Bracket();
    const second = new StackSocket({} as SocketOwner, { onReadable: () => got.push('b readable') });
    const first = new StackSocket({} as SocketOwner, {
      onConnected: () => {
        got.push('a connected');
        b.raise(second, ConnEvent.READABLE); // the queue holds one triple: this one grows it
      },
    });
    b.begin();
    b.raise(first, ConnEvent.CONNECTED);
    b.end();
    expect(got).toEqual(['a connected', 'b readable']);
  });
});
