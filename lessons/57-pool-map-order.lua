lesson{
  title = { en = "Pool.map and the order of results",
            zh = "Pool.map 与结果的顺序" },
  source = "002 §8.1–8.2 map, apply, map_async, apply_async",
}

say{
  en = [[
    Pool.map(f, items) applies one function to many items across the
    workers and returns a list of the results. The workers finish in
    whatever order their work takes; 002 §8.2's point is that map's list is
    still in the order of the items. Here the first item is the slowest:
    slow_square(x) sleeps 0.05 * (5 - x) seconds, so 4 finishes first.]],
  zh = [[
    Pool.map(f, items) 把同一个函数分给各个工作进程，作用在许多项上，
    返回结果的列表。工作进程按各自工作的快慢完成，先后不定；
    002 §8.2 要说的是：map 返回的列表仍然按输入的顺序排列。
    这里第一项最慢：slow_square(x) 睡 0.05 * (5 - x) 秒，所以 4 最先完成。]],
}

step{ en = "map: finished in any order, returned in order", zh = "map：完成先后不定，返回按顺序" }

function slow_square(x)
  time.sleep(0.05 * (5 - x))
  print("worker finished " .. x)
  return x * x
end

pool = mp.Pool(4)
squares = pool:map(slow_square, { 1, 2, 3, 4 })
print("map returned " .. table.concat(squares, ","))

expect{ printed = { "worker finished 4", "worker finished 3", "worker finished 2", "worker finished 1" },
        en = "the workers finished 4 first and 1 last", zh = "工作进程先完成 4，最后完成 1" }
expect{ printed = { "map returned 1,4,9,16" },
        en = "map's list is in the order of the items", zh = "map 返回的列表按输入的顺序排列" }

say{
  en = [[
    map sent the four items as four tasks (chunksize: the items divided by
    four times the workers, rounded up: 1 here) and waited for all of them.
    Each result came back with its index, and the parent put it in its place.
    On the timeline: four worker lanes sleeping different lengths, and the
    result arrows arriving last-item-first.]],
  zh = [[
    map 把四项作为四个任务发出去（chunksize：项数除以四倍的进程数，向上取整，
    这里是 1），然后等它们全部完成。每个结果都带着自己的序号回来，
    父进程把它放到对应的位置上。时间线上：四个工作进程睡的时间长短不一，
    结果的箭头从最后一项开始陆续回来。]],
}

step{ en = "imap and imap_unordered", zh = "imap 与 imap_unordered" }

ordered, unordered = {}, {}
for r in pool:imap(slow_square, { 1, 2, 3, 4 }) do ordered[#ordered + 1] = r end
for r in pool:imap_unordered(slow_square, { 1, 2, 3, 4 }) do unordered[#unordered + 1] = r end
print("imap: " .. table.concat(ordered, ","))
print("imap_unordered: " .. table.concat(unordered, ","))

expect{ printed = { "imap: 1,4,9,16", "imap_unordered: 16,9,4,1" },
        en = "imap keeps the items' order; imap_unordered gives each result as it finishes",
        zh = "imap 保持输入的顺序；imap_unordered 谁先完成就先给谁" }

say{
  en = [[
    imap gives the results one at a time, in order: it holds back 16 until
    1 is there. imap_unordered gives each as soon as it is done: 16 first.
    Use it when the order does not matter and the first results are useful
    early.]],
  zh = [[
    imap 一个一个地给出结果，按顺序：1 没到之前，16 要先等着。
    imap_unordered 哪个完成就马上给哪个：16 最先。
    顺序无所谓、又想早点拿到先完成的结果时，就用它。]],
}

step{ en = "Callbacks: apply_async one by one, map_async once", zh = "回调：apply_async 逐个回调，map_async 只回调一次" }

arrived = {}
function collect(r) arrived[#arrived + 1] = type(r) == "table" and ("{" .. table.concat(r, ",") .. "}") or r end
rs = {}
for i, x in ipairs{ 1, 2, 3, 4 } do rs[i] = pool:apply_async(slow_square, { x }, { callback = collect }) end
for _, r in ipairs(rs) do r:wait() end
m = pool:map_async(slow_square, { 1, 2, 3, 4 }, nil, { callback = collect })
m:wait()
pool:close(); pool:join()
print("callbacks got: " .. table.concat(arrived, " "))

expect{ printed = { "callbacks got: 16 9 4 1 {1,4,9,16}" },
        en = "apply_async's callbacks ran as each task finished; map_async's ran once, with the list in order",
        zh = "apply_async 的回调在每个任务完成时各调用一次；map_async 的回调只调用一次，拿到按顺序的列表" }

say{
  en = [[
    With apply_async, the callback runs for each task as it finishes, so a
    list built by the callback is in finishing order (002 §8.2's
    [1, 0, 4, 9, 25, 16, ...] for the same reason). map_async calls its
    callback once, with the whole list, in the items' order. CPython gives
    the same orders for the same program.]],
  zh = [[
    用 apply_async 时，每个任务一完成就调用一次回调，所以回调拼出来的列表
    是完成的先后顺序（002 §8.2 的 [1, 0, 4, 9, 25, 16, ...] 也是这个原因）。
    map_async 只调用一次回调，给它整个列表，按输入的顺序。
    同样的程序，CPython 给出的顺序也一样。]],
}
