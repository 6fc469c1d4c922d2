lesson{
  title = { en = "Sharing a dict and a list through a Manager",
            zh = "通过 Manager 共享字典和列表" },
  source = "002 §6.7 共享数据 (Manager); 002 ch.13 Manager 数据共享的陷阱",
}

say{
  en = [[
    A child process works on its own copy of the parent's memory: whatever
    it puts in a plain table stays in the child. A Manager's dict and list
    live in the Manager's server process instead; the parent and the child
    hold proxies, and every read and write goes to the server. 002 §6.7
    shares a dict and a list this way (the notes leave out func; here it
    writes two keys and appends three numbers).]],
  zh = [[
    子进程操作的是父进程内存的一份拷贝：它往普通的表里放什么，都只留在子进程里。
    Manager 的 dict 和 list 则放在 Manager 的服务进程里；父进程和子进程拿着的
    都是代理，每一次读写都发给服务进程。002 §6.7 就是这样共享一个字典和一个列表的
    （笔记里没写 func；这里它写两个键，再追加三个数）。]],
}

step{ en = "002 §6.7: a dict and a list", zh = "002 §6.7：一个字典和一个列表" }

function func(mydict, mylist)
  mydict["index1"] = "aaaaaa"
  mydict["index2"] = "bbbbbb"
  mylist:append(11)
  mylist:append(22)
  mylist:append(33)
end

MG = mp.Manager()
mydict = MG:dict()
mylist = MG:list({ 0, 1, 2, 3, 4 })
p = mp.Process{ target = func, args = { mydict, mylist } }
p:start()
p:join()
print(mylist)
print(mydict)

plain = {}
p2 = mp.Process{ target = func, args = { plain, MG:list() } }
p2:start()
p2:join()
print("a plain table after the child: " .. tostring(next(plain)))

expect{ printed = { "[0, 1, 2, 3, 4, 11, 22, 33]", "{'index1': 'aaaaaa', 'index2': 'bbbbbb'}" },
        en = "the parent sees what the child wrote, printed as CPython prints them",
        zh = "父进程看到了子进程写的内容，打印出来和 CPython 一样" }
expect{ printed = { "a plain table after the child: nil" },
        en = "a plain table written by the child stayed empty in the parent",
        zh = "子进程写过的普通表，在父进程里仍然是空的" }

say{
  en = [[
    print shows a proxy as Python shows the real object: the list and the
    dict in the server, keys in the order they were set. The plain table
    was copied by fork; the child filled its own copy, and that copy ended
    with the child.
    On the timeline: SyncManager-1, the server, is a process of its own,
    and each of the child's writes is an arrow to it, marked
    dict.__setitem__ or list.append.]],
  zh = [[
    print 显示代理的方式，和 Python 显示真正的对象一样：服务进程里的列表和字典，
    键按设置的先后排列。普通的表在 fork 时被复制；子进程填的是自己的那一份，
    子进程结束，那一份也就没了。
    在时间线上：服务进程 SyncManager-1 单独占一块，子进程的每一次写入都是一支
    指向它的箭头，标着 dict.__setitem__ 或 list.append。]],
}

step{ en = "The trap: a table inside the dict is a copy", zh = "陷阱：字典里的表是一份拷贝" }

function add_tag(d)
  d["tags"][2] = "late"  -- changes a copy, in the child
end

d = MG:dict()
d["tags"] = { "early" }
p3 = mp.Process{ target = add_tag, args = { d } }
p3:start()
p3:join()
print("after the child: " .. #d["tags"] .. " tag")
tags = d["tags"]
tags[#tags + 1] = "late"
d["tags"] = tags
print("after writing it back: " .. table.concat(d["tags"], ","))
MG:shutdown()

expect{ printed = { "after the child: 1 tag", "after writing it back: early,late" },
        en = "changing the inner table was lost; writing the whole table back kept it",
        zh = "改里面的表丢失了；把整张表写回去才保留下来" }

say{
  en = [[
    d["tags"] asks the server for the value and gets a copy: the child
    changed that copy, and the server never heard of it. CPython does the
    same with d["tags"].append("late") on a list inside a managed dict,
    the trap 002 ch.13 lists. Read the inner value, change it, and assign
    it back with d["tags"] = tags: that assignment is the request that
    reaches the server.]],
  zh = [[
    d["tags"] 向服务进程要这个值，拿到的是一份拷贝：子进程改的是这份拷贝，
    服务进程根本不知道。CPython 里对受管字典中的列表做 d["tags"].append("late")
    也是一样，这就是 002 第 13 章列出的那个陷阱。
    正确的做法：取出里面的值，改好，再用 d["tags"] = tags 赋值回去：
    这次赋值才是真正发到服务进程的请求。]],
}
