#include <cstdio>
#include <vector>
#include <string>
#include <new>
struct alignas(64) Big { char x[100]; };
int main() {
    std::vector<std::string> v;
    for (int i = 0; i < 20; i++) v.push_back(std::string(30 + i, 'x'));
    int *arr = new int[10];
    delete[] arr;
    Big *b = new Big;
    delete b;
    Big *bs = new Big[3];
    delete[] bs;
    int *p = new (std::nothrow) int(5);
    delete p;
    int *leak = new int[4];
    (void)leak;
    std::printf("%zu\n", v.size());
}
