/**
 * Linux's numeric values for the symbols packetdrill scripts use (packetdrill symbols_linux.c),
 * so `fcntl(3, F_GETFL) = O_RDWR|O_NONBLOCK` or `[ETIMEDOUT]` compare as the kernel would.
 */

export const SYMBOLS: Readonly<Record<string, number>> = {
  AF_INET: 2, AF_INET6: 10, PF_INET: 2, PF_INET6: 10,
  SOCK_STREAM: 1, SOCK_DGRAM: 2, SOCK_RAW: 3, SOCK_NONBLOCK: 0x800, SOCK_CLOEXEC: 0x80000,
  IPPROTO_IP: 0, IPPROTO_TCP: 6, IPPROTO_UDP: 17,
  SOL_SOCKET: 1, SOL_TCP: 6, SOL_IP: 0,
  SO_REUSEADDR: 2, SO_ERROR: 4, SO_SNDBUF: 7, SO_RCVBUF: 8, SO_KEEPALIVE: 9, SO_LINGER: 13, SO_REUSEPORT: 15,
  TCP_NODELAY: 1, TCP_MAXSEG: 2, TCP_KEEPIDLE: 4, TCP_KEEPINTVL: 5, TCP_KEEPCNT: 6, TCP_SYNCNT: 7,
  TCP_INFO: 11, TCP_USER_TIMEOUT: 18,
  F_GETFL: 3, F_SETFL: 4, O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2, O_NONBLOCK: 0x800,
  SHUT_RD: 0, SHUT_WR: 1, SHUT_RDWR: 2,
  SIOCINQ: 0x541b, FIONREAD: 0x541b, SIOCOUTQ: 0x5411, TIOCOUTQ: 0x5411,
  MSG_PEEK: 2, MSG_DONTWAIT: 0x40,
  // tcpi_ca_state values (enum tcp_ca_state) and tcpi_options bits (include/uapi/linux/tcp.h)
  TCP_CA_Open: 0, TCP_CA_Disorder: 1, TCP_CA_CWR: 2, TCP_CA_Recovery: 3, TCP_CA_Loss: 4,
  TCPI_OPT_TIMESTAMPS: 1, TCPI_OPT_SACK: 2, TCPI_OPT_WSCALE: 4, TCPI_OPT_ECN: 8, TCPI_OPT_ECN_SEEN: 16, TCPI_OPT_SYN_DATA: 32,
  // tcpi_state values (include/net/tcp_states.h)
  TCP_ESTABLISHED: 1, TCP_SYN_SENT: 2, TCP_SYN_RECV: 3, TCP_FIN_WAIT1: 4, TCP_FIN_WAIT2: 5,
  TCP_TIME_WAIT: 6, TCP_CLOSE: 7, TCP_CLOSE_WAIT: 8, TCP_LAST_ACK: 9, TCP_LISTEN: 10, TCP_CLOSING: 11,
};

/** errno names and numbers (asm-generic/errno.h). */
export const ERRNO: Readonly<Record<string, number>> = {
  EPERM: 1, ENOENT: 2, EINTR: 4, EBADF: 9, EAGAIN: 11, EWOULDBLOCK: 11, ENOMEM: 12, EFAULT: 14, EINVAL: 22,
  EPIPE: 32, ENOTSOCK: 88, EOPNOTSUPP: 95, EADDRINUSE: 98, EADDRNOTAVAIL: 99, ENETUNREACH: 101,
  ECONNABORTED: 103, ECONNRESET: 104, EISCONN: 106, ENOTCONN: 107, ETIMEDOUT: 110, ECONNREFUSED: 111,
  EHOSTUNREACH: 113, EALREADY: 114, EINPROGRESS: 115,
};

/** tcplab state names (src/tcp/api.ts STATE_NAMES) to Linux tcpi_state names. */
export const LINUX_STATE: Readonly<Record<string, string>> = {
  CLOSED: 'TCP_CLOSE', LISTEN: 'TCP_LISTEN', SYN_SENT: 'TCP_SYN_SENT', SYN_RCVD: 'TCP_SYN_RECV',
  ESTABLISHED: 'TCP_ESTABLISHED', FIN_WAIT_1: 'TCP_FIN_WAIT1', FIN_WAIT_2: 'TCP_FIN_WAIT2',
  CLOSE_WAIT: 'TCP_CLOSE_WAIT', CLOSING: 'TCP_CLOSING', LAST_ACK: 'TCP_LAST_ACK', TIME_WAIT: 'TCP_TIME_WAIT',
};

/** The number a symbol or errno name stands for; null when unknown. */
export function symbolValue(name: string): number | null {
  return SYMBOLS[name] ?? ERRNO[name] ?? null;
}
