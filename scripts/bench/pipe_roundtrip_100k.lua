-- bench pipe-roundtrip-100k: N (default 100,000) one-byte round trips
-- between two threads over two pipes: the main thread writes a byte into
-- the first pipe, the echo thread reads it and writes it back into the
-- second, the main thread reads it. Every trip is two blocking reads that
-- release the GIL. Prints N. Python twin: pipe_roundtrip_100k.py.
N = tonumber(arg and arg[1]) or 100000
r1, w1 = os.pipe()
r2, w2 = os.pipe()

function echo()
  for _ = 1, N do
    os.write(w2, os.read(r1, 1))
  end
end

t = threading.Thread{target = echo}
t:start()
n = 0
for _ = 1, N do
  os.write(w1, "x")
  n = n + #os.read(r2, 1)
end
t:join()
print(n)
