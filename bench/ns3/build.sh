#!/bin/sh
# Builds bench/ns3/star.cc against the distribution's ns-3 (Debian bookworm: apt-get install
# libns3-dev, ns-3 3.37) into bench/ns3/star (not committed). See bench/README.md.
set -e
cd "$(dirname "$0")"
LIBS="-lns3-applications -lns3-internet -lns3-point-to-point -lns3-traffic-control -lns3-network -lns3-bridge -lns3-stats -lns3-core"
${CXX:-g++} -std=c++17 -O2 -DNDEBUG -o star star.cc $LIBS
