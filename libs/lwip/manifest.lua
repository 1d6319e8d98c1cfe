-- lwip: the TCP/IP stack (lwIP 2.1.3, IPv4) in NO_SYS mode, driven by the
-- runtime's scheduler and timers. lwIP is compiled from its source tree in
-- the cache (build/lwip.sh fetches it) into this library's archive, with
-- lwipopts.h (port/) made from the options below; its own symbols are
-- hidden there, so an application sees only the mr_lwip_ API of
-- <mirari/lwip.h> and the network API of <mirari/net.h> (mr_tcp_*,
-- mr_net_*). netif.c attaches each net device of app.conf to lwIP (static
-- IPv4 or DHCP from the device's settings); net.c is the blocking TCP API
-- for cooperative handlers.
--
-- The defaults below are the only ones: port/lwipopts.h maps each option to
-- lwIP's and derives the rest (segments, queue lengths, window scaling)
-- from them. Combinations lwIP cannot build (dhcp without udp, a window
-- smaller than a segment, ...) are refused by mirari configure (the
-- constraints below), and again by lwipopts.h should a build override an
-- option with -D.
return {
  summary = "TCP/IP stack: lwIP 2.1.3 (IPv4, TCP, UDP, DHCP, ARP) in NO_SYS mode on mirari's timers",
  sources = { "lwip.c", "port.c", "selftest.c", "netif.c", "net.c" },
  include = { "include" },
  init = "mr_lwip_init",
  constraints = {
    { "not dhcp or udp", "dhcp = true needs udp = true: set udp = true or dhcp = false" },
    { "not dns or udp", "dns = true needs udp = true: set udp = true or dns = false" },
    { "not tcp or tcp_wnd >= tcp_mss",
      "tcp_wnd is smaller than one segment (tcp_mss): raise tcp_wnd or lower tcp_mss" },
    { "not tcp or tcp_snd_buf >= 2 * tcp_mss",
      "tcp_snd_buf must hold at least two segments (2 * tcp_mss): raise tcp_snd_buf or lower tcp_mss" },
    { "not tcp or tcp_wnd <= pbuf_pool_size * tcp_mss",
      "tcp_wnd is more than the receive buffers hold (pbuf_pool_size * tcp_mss): raise pbuf_pool_size or lower tcp_wnd" },
    { "not tcp or (4 * tcp_snd_buf + tcp_mss - 1) // tcp_mss <= 65535",
      "tcp_snd_buf is more than 65535 segments of tcp_mss: lower tcp_snd_buf or raise tcp_mss" },
  },
  deps = { "lwip" },
  -- Only what IPv4 with TCP, UDP, DHCP, DNS and ARP over Ethernet needs
  -- (not raw.c or sys.c, empty with LWIP_RAW 0 and NO_SYS 1). A feature
  -- turned off in app.conf leaves its file compiled but empty: lwIP guards
  -- each file with its option.
  dep_sources = {
    lwip = {
      "src/core/init.c", "src/core/def.c", "src/core/dns.c", "src/core/inet_chksum.c",
      "src/core/ip.c", "src/core/mem.c", "src/core/memp.c", "src/core/netif.c",
      "src/core/pbuf.c", "src/core/stats.c", "src/core/tcp.c", "src/core/tcp_in.c",
      "src/core/tcp_out.c", "src/core/timeouts.c", "src/core/udp.c",
      "src/core/ipv4/dhcp.c", "src/core/ipv4/etharp.c", "src/core/ipv4/icmp.c",
      "src/core/ipv4/ip4.c", "src/core/ipv4/ip4_addr.c", "src/core/ipv4/ip4_frag.c",
      "src/netif/ethernet.c",
    },
  },
  cflags = {
    -- port/ holds lwipopts.h and arch/cc.h, which lwIP includes by those
    -- names; they are private to this library, not in include/.
    "-I{dir}/port", "-I{lwip}/src/include",
    -- lwIP leaves some parameters unused when features are configured out
    -- (netif.c with neither tcp nor udp); it is third-party code, not ours
    -- to change. The flag applies to this library's own files too.
    "-Wno-unused-parameter",
  },
  options = {
    tcp = { type = "bool", default = true, doc = "TCP (LWIP_TCP)" },
    udp = { type = "bool", default = true, doc = "UDP (LWIP_UDP); DHCP and DNS need it" },
    dhcp = { type = "bool", default = true, doc = "DHCP client for IPv4 addresses (LWIP_DHCP); needs udp" },
    dns = { type = "bool", default = false, doc = "DNS resolver (LWIP_DNS); needs udp" },
    loopback = {
      type = "bool", default = true,
      doc = "loopback interface 127.0.0.1 and delivery of packets sent to the image's own addresses",
    },
    mem_size = {
      type = "size", default = "256K", min = "16K", max = "256M",
      doc = "lwIP's heap (MEM_SIZE): outgoing packets and copied TCP data",
    },
    tcp_connections = {
      type = "int", default = 64, min = 1, max = 16384,
      doc = "TCP connections open at once, in every state (MEMP_NUM_TCP_PCB); when all are in use, a new client closes the one marked idle the longest (docs/net.md)",
    },
    tcp_listeners = {
      type = "int", default = 8, min = 1, max = 1024,
      doc = "listening TCP ports (MEMP_NUM_TCP_PCB_LISTEN)",
    },
    udp_pcbs = {
      type = "int", default = 8, min = 1, max = 1024,
      doc = "UDP endpoints, counting one for DHCP and one for DNS (MEMP_NUM_UDP_PCB)",
    },
    pbuf_pool_size = {
      type = "int", default = 128, min = 8, max = 65535,
      doc = "buffers of one frame each for received packets (PBUF_POOL_SIZE)",
    },
    tcp_mss = {
      type = "int", default = 1460, min = 536, max = 8960,
      doc = "TCP maximum segment size (TCP_MSS); 1460 fits a 1500-byte MTU",
    },
    tcp_wnd = {
      type = "size", default = "32K", min = 536, max = "64M",
      doc = "TCP receive window (TCP_WND); above 65535 window scaling is turned on",
    },
    tcp_snd_buf = {
      type = "size", default = "32K", min = 1072, max = "16M",
      doc = "TCP send buffer per connection (TCP_SND_BUF), at least 2 * tcp_mss",
    },
    timer_interval = {
      type = "duration", default = "100ms", min = "1ms", max = "250ms",
      doc = "how often lwIP's timers are checked; TCP's fast timer runs every 250ms",
    },
  },
}
