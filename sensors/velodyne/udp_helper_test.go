package velodyne

import "net"

func net_dial(addr string) (net.Conn, error) { return net.Dial("udp", addr) }
