package dev.ringfold.examples;

import dev.ringfold.mpi.*;

public class HelloPointToPoint {
    public static void main(String[] args) {
        try (Ringfold rf = Ringfold.init()) {                       // joins the job mpjrun started
            Communicator world = rf.world();
            int rank = world.rank(), size = world.size();
            double[] mine = {rank, rank / 2.0}, fromLeft = new double[2];
            Request recv = world.irecv(fromLeft, 0, 2, (rank + size - 1) % size, 7);  // post the receive,
            Request send = world.isend(mine, 0, 2, (rank + 1) % size, 7);             // send to the right,
            Request.waitAll(send, recv);                                                // wait for both
            if (rank == 0) {
                for (int i = 1; i < size; i++) {
                    Status st = world.probe(Communicator.ANY_SOURCE, 1);           // who has a message, how long?
                    byte[] text = new byte[st.count()];
                    world.recv(text, 0, text.length, st.source(), 1);
                    System.out.println("rank 0 got \"" + new String(text) + "\" from rank " + st.source());
                }
            } else {
                byte[] text = ("hello; my left neighbour sent " + fromLeft[0]).getBytes();
                world.send(text, 0, text.length, 0, 1);
            }
        }
    }
}
