// The star scenario of issue 14 (bench/scenarios/star-N.yaml) written for ns-3, so the two
// simulators run the same experiment side by side. Our benchmark program, built against the
// distribution's ns-3 (Debian bookworm: libns3-dev 3.37); see bench/README.md, "ns-3 side by side".
//
//   N clients on 100 Mbps / 5 ms point-to-point links to a router r1, r1 to the server on
//   1 Gbps / 1 ms, 1000-packet drop-tail device queues (Linux's txqueuelen). Client i (0-based)
//   opens one TCP connection at i x 1 s / N, sends 1000 B and closes; the server reads to end of
//   stream and closes. TIME-WAIT lasts 60 s as on Linux (MaxSegLifetime 30 s), and the run stops
//   at 62 s simulated, as the tcplab files do.
//
// Routing: every client's default route is its link to r1 and the server's likewise; r1 reaches
// every host through its directly connected /30 (static routing: the cheapest form ns-3 offers;
// --routing=global uses Ipv4GlobalRoutingHelper::PopulateRoutingTables instead, which runs a
// shortest-path computation per node).
//
// Output (stdout, one line each): the phases' wall times and the connection counts, so a run can
// be checked to have done the scenario (every client connected, every request read to its end).
#include <ns3/applications-module.h>
#include <ns3/core-module.h>
#include <ns3/internet-module.h>
#include <ns3/network-module.h>
#include <ns3/point-to-point-module.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

using namespace ns3;

namespace
{

uint32_t g_connected = 0;     // clients whose connection completed its handshake
uint32_t g_accepted = 0;      // connections the server accepted
uint64_t g_bytesRead = 0;     // request bytes the server read
uint32_t g_serverClosed = 0;  // server sockets closed after the peer's FIN
const uint32_t kRequestBytes = 1000;

double
Since(std::chrono::steady_clock::time_point t0)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// --- server: read to end of stream, then close --------------------------------------------------

void
ServerRead(Ptr<Socket> socket)
{
    // In CLOSE_WAIT, TcpSocketBase::Recv returns an empty packet (end of stream) on every call.
    Ptr<Packet> packet;
    while ((packet = socket->Recv()) && packet->GetSize() > 0)
    {
        g_bytesRead += packet->GetSize();
    }
}

void
ServerPeerClosed(Ptr<Socket> socket)
{
    ServerRead(socket);
    socket->Close();
    g_serverClosed++;
}

void
ServerAccept(Ptr<Socket> socket, const Address&)
{
    g_accepted++;
    socket->SetRecvCallback(MakeCallback(&ServerRead));
    socket->SetCloseCallbacks(MakeCallback(&ServerPeerClosed), MakeNullCallback<void, Ptr<Socket>>());
}

bool
ServerAcceptAll(Ptr<Socket>, const Address&)
{
    return true;
}

// --- client: connect, send 1000 B, close ---------------------------------------------------------

void
ClientConnected(Ptr<Socket> socket)
{
    g_connected++;
    socket->Send(Create<Packet>(kRequestBytes));
    socket->Close(); // FIN once the send buffer has drained (TcpSocketBase's close-on-empty)
}

void
ClientFailed(Ptr<Socket>)
{
}

void
ClientStart(Ptr<Node> node, Address server)
{
    Ptr<Socket> socket = Socket::CreateSocket(node, TcpSocketFactory::GetTypeId());
    socket->Bind();
    socket->SetConnectCallback(MakeCallback(&ClientConnected), MakeCallback(&ClientFailed));
    socket->Connect(server);
}

} // namespace

int
main(int argc, char* argv[])
{
    uint32_t n = 1000;
    std::string routing = "static";
    double stopSeconds = 62;
    CommandLine cmd;
    cmd.AddValue("n", "number of clients", n);
    cmd.AddValue("routing", "static (default routes) or global (PopulateRoutingTables)", routing);
    cmd.AddValue("stop", "simulated seconds", stopSeconds);
    cmd.Parse(argc, argv);

    auto t0 = std::chrono::steady_clock::now();

    // Linux-like TCP: CUBIC, MSS 1448 (1500 B MTU with timestamps), 60 s TIME-WAIT.
    Config::SetDefault("ns3::TcpL4Protocol::SocketType", TypeIdValue(TcpCubic::GetTypeId()));
    Config::SetDefault("ns3::TcpSocket::SegmentSize", UintegerValue(1448));
    Config::SetDefault("ns3::TcpSocketBase::MaxSegLifetime", DoubleValue(30));

    NodeContainer server;
    server.Create(1);
    NodeContainer router;
    router.Create(1);
    NodeContainer clients;
    clients.Create(n);

    InternetStackHelper internet;
    internet.Install(server);
    internet.Install(router);
    internet.Install(clients);

    PointToPointHelper access;
    access.SetDeviceAttribute("DataRate", StringValue("100Mbps"));
    access.SetChannelAttribute("Delay", StringValue("5ms"));
    access.SetQueue("ns3::DropTailQueue", "MaxSize", StringValue("1000p"));
    PointToPointHelper core;
    core.SetDeviceAttribute("DataRate", StringValue("1Gbps"));
    core.SetChannelAttribute("Delay", StringValue("1ms"));
    core.SetQueue("ns3::DropTailQueue", "MaxSize", StringValue("1000p"));

    Ipv4AddressHelper addresses;
    addresses.SetBase("10.0.0.0", "255.255.255.252");
    Ipv4StaticRoutingHelper staticRouting;

    NetDeviceContainer serverLink = core.Install(server.Get(0), router.Get(0));
    Ipv4InterfaceContainer serverIfs = addresses.Assign(serverLink);
    addresses.NewNetwork();
    Ipv4Address serverAddress = serverIfs.GetAddress(0);
    if (routing == "static")
    {
        staticRouting.GetStaticRouting(server.Get(0)->GetObject<Ipv4>())
            ->SetDefaultRoute(serverIfs.GetAddress(1), 1);
    }

    for (uint32_t i = 0; i < n; i++)
    {
        NetDeviceContainer link = access.Install(clients.Get(i), router.Get(0));
        Ipv4InterfaceContainer ifs = addresses.Assign(link);
        addresses.NewNetwork();
        if (routing == "static")
        {
            staticRouting.GetStaticRouting(clients.Get(i)->GetObject<Ipv4>())
                ->SetDefaultRoute(ifs.GetAddress(1), 1);
        }
    }
    double built = Since(t0);
    if (routing == "global")
    {
        Ipv4GlobalRoutingHelper::PopulateRoutingTables();
    }
    double routed = Since(t0);

    Ptr<Socket> listener = Socket::CreateSocket(server.Get(0), TcpSocketFactory::GetTypeId());
    listener->Bind(InetSocketAddress(Ipv4Address::GetAny(), 80));
    listener->Listen();
    listener->SetAcceptCallback(MakeCallback(&ServerAcceptAll), MakeCallback(&ServerAccept));

    Address target = InetSocketAddress(serverAddress, 80);
    for (uint32_t i = 0; i < n; i++)
    {
        Simulator::Schedule(NanoSeconds(int64_t(1e9 * i / n)), &ClientStart, clients.Get(i), target);
    }

    Simulator::Stop(Seconds(stopSeconds));
    Simulator::Run();
    double ran = Since(t0);
    Simulator::Destroy();

    std::printf("ns3 star n=%u routing=%s build=%.2fs routes=%.2fs simulate=%.2fs total=%.2fs\n",
                n,
                routing.c_str(),
                built,
                routed - built,
                ran - routed,
                Since(t0));
    std::printf("connected=%u accepted=%u bytesRead=%llu serverClosed=%u (expected %u, %llu)\n",
                g_connected,
                g_accepted,
                (unsigned long long)g_bytesRead,
                g_serverClosed,
                n,
                (unsigned long long)n * kRequestBytes);
    return g_connected == n && g_bytesRead == uint64_t(n) * kRequestBytes ? 0 : 1;
}
