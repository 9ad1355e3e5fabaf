package dev.orderflow.parentwatch;

import java.net.InetAddress;
import java.net.ServerSocket;

/** A child for {@code ChildJvmTest}: listens on loopback at the port it is given until it is stopped. */
public final class Listens {
    private Listens() {
    }

    public static void main(String[] args) throws Exception {
        try (ServerSocket socket = new ServerSocket(Integer.parseInt(args[0]), 50, InetAddress.getLoopbackAddress())) {
            System.out.println("listening");
            while (true) {
                socket.accept().close();
            }
        }
    }
}
